/*
 * lab.h: the host tool's subcommands (one file each) and what they share:
 * the options every command takes the same way, and the lock that keeps
 * two runs out of one output directory.
 */
#ifndef LAB_LAB_H
#define LAB_LAB_H

#include <stdbool.h>
#include "boot.h"
#include "opts.h"
#include "run.h"

int cmd_boot(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_mitigations(int argc, char **argv);
int cmd_wiring(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_compare_kernels(int argc, char **argv);
int cmd_nested(int argc, char **argv);

/*
 * What the commands are told, each option the same way in every command
 * that takes it (opts.h: which command takes which).
 */
struct lab_opts {
	const char *kernel, *kernel_nosys, *kobj, *initrd, *out, *plan;
	const char *ksrc;	/* --ksrc: the kernel tree (mitigations, wiring) */
	/* make test's kernel without the dispatch exports, its build, its initramfs */
	const char *kernel_noexp, *kobj_noexp, *initrd_noexp;
	const char *append, *guest, *host_tap, *trace_tap, *mitigations_tap;
	const char *wiring_tap;
	/* --with-summary LABEL=FILE (repeatable): other lab tests' summary.json */
#define LAB_WITH_SUMMARY_MAX 8
	const char *with_summary[LAB_WITH_SUMMARY_MAX];
	unsigned int nwith_summary;
	bool lab_only;		/* --lab-only: lab test boots the lab kernel alone */
	enum lab_mode mode;
	enum lab_arch arch;	/* --arch x86_64|arm64: the guest's (default x86_64) */
	unsigned int smp;	/* --smp N: vCPUs (0: the default, 1) */
	unsigned int timeout_s;	/* --timeout S (default 300) */
	bool check_only;	/* --check-only: the checks, no report */
	char **args;		/* the operands, in order */
	int nargs;
	/* not an option: where auto keeps the KVM probe's answer (NULL: not
	 * kept); a command sets it (lab_probe_path) before its boots */
	const char *probe_cache;
};
/* OUT/kvm-probe.answer, malloc'd. */
char *lab_probe_path(const char *out);
/* Boot options from o, for plan into dir. */
struct boot_opts lab_boot_opts(const struct lab_opts *o, const char *plan,
			       const char *dir);

/* Takes dir/.lock for the life of the process, or dies: "busy". */
void lab_lock(const char *dir);

/* Loads the run in dir (named by its base name) or dies with one line. */
struct run *lab_load_run(const char *dir);

#endif
