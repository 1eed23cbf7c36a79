/*
 * mitigation.h: the model behind `lab mitigations`: which mitigations the
 * kernel can switch off at boot (read from its own documentation), the
 * traced instruction listings of one path under two settings, their
 * instruction-level difference, and what kind of instruction each one is.
 * No I/O beyond reading the files named; the command (cmd_mitigations.c)
 * runs the boots and writes the report.
 */
#ifndef LAB_MITIGATION_H
#define LAB_MITIGATION_H

#include <stdbool.h>
#include <stddef.h>

/* One boot-time switch: "nopti", "mds=off", ... and a name for its
 * directory ("nopti", "mds-off"). */
struct mit_switch {
	char *param;
	char *name;
};

struct mit_switches {
	struct mit_switch *v;
	size_t n;
	char **skipped;	/* "param: why", for listed switches left out */
	size_t nskipped;
};

/*
 * The x86 switches that Documentation/admin-guide/kernel-parameters.txt
 * says `mitigations=off` is equivalent to (its "Equivalent to:" list),
 * from that file's text. Entries for other architectures are left out;
 * conditional ones ("if nokaslr then ...") and module parameters
 * ("kvm.nx_huge_pages=off") are left out and listed in skipped. Returns
 * -1 (and why in *err) when the text has no such list.
 */
int mit_switches_parse(const char *doc, struct mit_switches *out, char **err);
void mit_switches_free(struct mit_switches *s);

/* One traced instruction (a line of a .staged listing). */
struct mit_insn {
	char *pc, *sym, *text, *stage;
	char *func;	/* sym without "+0x..." */
};

struct mit_listing {
	struct mit_insn *v;
	size_t n;
};

/* Reads a .staged listing (n, address, symbol+offset, instruction, stage,
 * tab-separated). Returns -1 with errno (or EINVAL for a malformed line,
 * its number in *bad_line) on failure. */
int mit_listing_load(const char *path, struct mit_listing *l, size_t *bad_line);
void mit_listing_free(struct mit_listing *l);

/*
 * What an instruction is, for the cost an instruction count does not show.
 * By its text (gdb's AT&T disassembly) and its function; the stuffing of
 * the return stack buffer is recognised by its shape (a call to the next
 * lines of the same function, the stack pointer moved back after it).
 */
enum mit_class {
	MC_ORDINARY,
	MC_FENCE,	/* lfence, mfence, sfence, cpuid: serialising or fencing */
	MC_CR_MSR,	/* a write to a control register or an MSR */
	MC_CLEAR,	/* verw: CPU buffers cleared */
	MC_STUFF,	/* return stack buffer or stack stuffing */
	MC_THUNK,	/* an indirect branch, a retpoline or return thunk */
	MC_COUNT
};
extern const char *const mit_class_names[MC_COUNT];
enum mit_class mit_classify(const struct mit_listing *l, size_t i);

/*
 * The instruction-level difference of two listings of one path (base: the
 * default setting; other: one switched off), by the longest common
 * subsequence of (address, instruction): removed[] are base's indices that
 * other lacks (what the mitigation adds), added[] other's indices that
 * base lacks.
 */
struct mit_diff {
	size_t *removed, nremoved;
	size_t *added, nadded;
};
void mit_diff(const struct mit_listing *base, const struct mit_listing *other,
	      struct mit_diff *d);
void mit_diff_free(struct mit_diff *d);

/* The two listings are the same instructions in the same order. */
bool mit_listing_equal(const struct mit_listing *a, const struct mit_listing *b);

#endif
