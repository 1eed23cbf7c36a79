/*
 * trace_model.h: lab trace's model (trace_model.c), apart from its boots
 * (trace.c) and its writers (trace_write.c): lab_trace.py's trace.json
 * loaded, every instruction given its stage, the icount rows read, the
 * totals checked against icount's. Pure functions over these structs; the
 * only I/O is reading a file given by path.
 */
#ifndef LAB_TRACE_MODEL_H
#define LAB_TRACE_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "boot.h"
#include "checks.h"
#include "run.h"

/* The benchmark loop may lay out its code a little differently from the
 * call site: icount may differ from the traced count by this many. */
#define TOLERANCE 3
#define MAX_STEPS 20000


/*
 * The paths. P_SYSCALL is the architecture's own way in: x86_64's syscall
 * instruction, arm64's svc. An architecture without a path has no name for
 * it (arm64: no int80, no vdso32).
 */
enum {
	P_SYSCALL, P_KERNEL, P_FUNCTION, P_BATCH1, P_BATCH4, P_INT80, P_VDSO32, P_SVC32,
	NPATHS
};

#define STAGE_SYSCALL "syscall instruction"
#define STAGE_ENTRY "entry (asm)"
#define STAGE_DISPATCH "entry work and dispatch"
#define STAGE_BODY "syscall body"
#define STAGE_EXIT "exit work"
#define STAGE_RETURN "return to user (asm, sysret)"
#define STAGE_RETURN_IRET "return to user (asm, iret)"
#define STAGE_RETURN_SYSEXIT "return to user (asm, sysexit)"
#define STAGE_SVC "svc instruction"
#define STAGE_RETURN_ERET "return to user (asm, eret)"

/* What differs between the architectures traced. */
struct trace_arch {
	enum lab_arch arch;
	const char *gdb;			/* the debugger that knows it */
	const char *names[NPATHS];		/* NULL: no such path */
	const char *icount_row[NPATHS][2];	/* the row counting it, its ABI */
	const char *stage_syscall, *stage_return;
	/* the entry code's asm: symbols by prefix, and by exact name */
	const char *const *asm_prefix, *const *asm_exact;
	/* the null system call's instruction and call site, for the report */
	const char *syscall_insn, *syscall_site;
};
/*
 * The row's ops (include/lab/lab_row.h's curve rows: operations per crossing,
 * figures per operation; 0 for every other row): for the batch paths, the
 * records their lab_batch() carries. A crossing is the median times ops.
 */
/* batch4 carries this many records more than batch1. */
#define BATCH_MORE 3

/* The order of the chart's bars and the summary's lines. */
/* the 32-bit vDSO path: the user instructions around the kernel's */
#define STAGE_VDSO_IN "user: call, vDSO to the kernel"
#define STAGE_VDSO_OUT "user: vDSO back, ret"
#define STAGE_CALL "call"
#define STAGE_CALLEE "body"
#define SYSCALL_STAGES 6
#define VDSO_STAGES 7
/* Below this, a user address (x86-64's canonical lower half). */
#define USER_END 0x0000800000000000ULL

struct trace_insn {
	char *pc, *sym, *text;
	const char *stage;
};

struct trace_path {
	struct trace_insn *v;
	size_t n;
	bool cut_off;
};


struct trace_setting {
	const struct trace_arch *arch;	/* the architecture traced */
	const char *mit;	/* default, off, or a --setting's NAME */
	const char *append;	/* its kernel command-line words, or NULL */
	char *dir;
	char *failure;		/* why there is no trace, or NULL */
	struct trace_path p[NPATHS];
	int setup;		/* instructions before `syscall` in the call site */
	/*
	 * what bench_user's loop of the null system call repeats per call
	 * besides the path, as lab_trace.py read it (arm64's; -1 if not
	 * read: then the call site's set-up, and syscall_bench_note if
	 * lab_trace.py said why)
	 */
	int syscall_bench_extra;
	char *syscall_bench_note;
	/* the same for the AArch32 svc (arm64's svc32: bench_user32's loop),
	 * and its call site's set-up */
	int svc32_setup, svc32_bench_extra;
	char *svc32_bench_note;
	/*
	 * per path, the traced calls lab_trace.py skipped because they
	 * refilled get_random_u16()'s batch (arm64), as one line, or NULL;
	 * refilled: the path kept refilled too (no call left)
	 */
	char *refills[NPATHS];
	bool refilled[NPATHS];
	int batch_setup[NPATHS];	/* the same for the batch and int80 call sites */
	/* what bench_batch's lab_batch() loop adds per crossing to the traced
	 * path (its set-up, its loop's instructions less the empty loop's),
	 * as lab_trace.py read it; -1 if it could not (then bench_note) */
	int bench_extra;
	int bench_setup;	/* of those, the set-up before `syscall` */
	char *bench_note;
	/*
	 * The vDSO call site (lab_call_site_vdso): its set-up as written,
	 * as it ran (function entry to the `call *`), of those the
	 * instructions in the functions it called (getauxval()), and what
	 * bench_user32's lab_null_vdso32 loop adds per call as written
	 * (-1 if lab_trace.py could not read it: then vdso_note).
	 */
	int vdso_setup, vdso_setup_run, vdso_callees;
	int vdso_bench_extra, vdso_bench_setup;
	char *vdso_callee_names;
	char *vdso_note;
	bool have_icount[NPATHS];
	double icount[NPATHS];
	char *icount_note;	/* about the icount boot, or NULL */
};

/* The architectures traced: x86_64's, arm64's. */
#define TRACE_NARCHES 2
extern const struct trace_arch trace_arches[TRACE_NARCHES];
/* The row's ops per path (see trace_model.c). */
extern const unsigned int trace_icount_ops[NPATHS];
/* The order of the chart's bars and the summary's lines. */
extern const int trace_path_order[NPATHS];

/* Whether the architecture has path p. */
static inline bool trace_has_path(const struct trace_arch *arch, int p)
{
	return arch->names[p] != NULL;
}
/* The architecture's description (x86_64's if there is none for it). */
const struct trace_arch *trace_arch_of(enum lab_arch arch);

/* Distinct strings in order of first appearance. */
struct trace_names {
	const char **v;
	size_t n;
};
size_t trace_names_add(struct trace_names *ns, const char *s);

/* Per function (symbol without offset): its instructions in a path. */
struct trace_fcount {
	char *fn;
	size_t n[2];
};

/* The symbol without its +0xOFFSET (allocated). */
char *trace_symbol_base(const char *sym);

/* trace.json (lab_trace.py's) at path into s (s->arch set); NULL or why
 * not (allocated). */
char *trace_load(struct trace_setting *s, const char *path);
/* Gives each instruction of path p (which: its P_ number) its stage. */
void trace_stage_path(const struct trace_arch *arch, struct trace_path *p, int which);
/* Every path of s staged. */
void trace_stage(struct trace_setting *s);
/* The icount run's rows for s's paths into s->icount, s->have_icount, and
 * its first problem into s->icount_note (unless there is one). */
void trace_icount_of_run(struct trace_setting *s, const struct run *run);
/* A path's instructions in stage. */
size_t trace_count_stage(const struct trace_path *p, const char *stage);
/* The runs of rep-prefixed string instructions in a path. */
int trace_rep_runs(const struct trace_path *p);
/* What icount should count beyond the traced path p, per crossing. */
int trace_icount_extra(const struct trace_setting *s, int p);
/* (T4 - T1) / 3: the instructions one more record costs. */
double trace_per_record(const struct trace_setting *s);
/* The functions whose counts differ between batch1 and batch4. */
struct trace_fcount *trace_batch_diff(const struct trace_setting *s, size_t *nout);
void trace_free_fcounts(struct trace_fcount *v, size_t n);
/* s's checks (against icount, symbols, stages, the batch) into c. */
void trace_checks(struct checks *c, const struct trace_setting *s);
/* What s holds (not s). */
void trace_setting_free(struct trace_setting *s);

#endif
