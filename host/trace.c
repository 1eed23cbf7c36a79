/*
 * lab trace [--arch x86_64|arm64] --kernel BZIMAGE --kobj KOBJ_DIR --initrd CPIO
 *           --guest GUEST_DIR --out DIR [--timeout S] [--mitigations "default off"]
 *           [--setting NAME=ARGS ...] [--check-only]
 * (its options: commands.c; lab trace --help), or trace_run() (trace.h),
 * which lab mitigations calls.
 *
 * make trace: per mitigation setting, boots the lab kernel (plan "trace")
 * under TCG with QEMU's gdbstub on a Unix socket, QEMU stopped at its first
 * instruction; gdb (trace/lab_trace.py, configured by one JSON file that
 * this writes) loads the kernel's and the user programs' symbols, finds the
 * call sites, connects once the socket is there and single-steps one null
 * system call, one lab_batch() of one LAB_BATCH_NULL record and one of
 * four, one in-kernel call and one function call. Then, here: every
 * instruction sorted into stages, the totals checked against icount's
 * counts for the same paths (an icount boot of plan "bench-quick" per
 * setting), what a batch's record costs against what its crossing does
 * ((batch4 - batch1) / 3), and the report.
 *
 *   DIR/<mit>/<path>.staged  n, address, symbol+offset, instruction, stage
 *   DIR/<mit>/trace.json     what gdb wrote; gdb.log, boot/, icount/
 *   DIR/check.tap            KTAP: the checks (make test reads it)
 *   DIR/report.md            per stage, per function, the checks, the chart
 *   DIR/chart-stages.png     drawn by trace/stages.gp (gnuplot)
 *
 * --setting NAME=ARGS (repeatable): one more setting, its boots' kernel
 * command line ending in ARGS (e.g. nopti=nopti); lab mitigations runs
 * one per switch. Each setting's directory also gets setting.json
 * ({"name", "append"}).
 *
 * --arch arm64: the arm64 build (gdb-multiarch; trace/lab_trace_arm64.py):
 * the null system call through svc (path "svc"), lab_batch() through svc,
 * the module's bl, the function call and the null system call through svc
 * from the 32-bit (AArch32) user_syscall32 (path "svc32", the compat
 * entry); no int80 or vdso32 path. Its svc paths' expected icount is the
 * traced total plus what bench_user's (bench_user32's) loop repeats per
 * call, read from the loop's code. A traced call that refilled
 * get_random_u16()'s per-CPU batch (the random kernel stack offset taken
 * on every system call's way out; one call in 48, which icount's median
 * leaves out) is skipped by lab_trace.py and the call site's next call
 * traced: the check's diagnostics and the report say so.
 *
 * Every file is written under a temporary name and renamed. --check-only:
 * the default setting only, listings and check.tap (no report, no chart).
 * Exits 0 only if every check passed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "boot.h"
#include "checks.h"
#include "lab.h"
#include "plot.h"
#include "proc.h"
#include "run.h"
#include "trace.h"
#include "util.h"

/* The benchmark loop may lay out its code a little differently from the
 * call site: icount may differ from the traced count by this many. */
#define TOLERANCE 3
/* QEMU makes its socket before it does anything else: a bound wait. */
#define SOCKET_WAIT_MS 30000
#define MAX_STEPS 20000
/* The 32-bit vDSO's symbols, in the kernel's object directory. */
#define VDSO32_DBG "arch/x86/entry/vdso/vdso32.so.dbg"

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

static const char *const x86_asm_prefix[] = {
	"entry_SYSCALL_64", "syscall_return_via_sysret",
	"entry_SYSRETQ", "swapgs_restore_regs", "entry_INT80_compat",
	/* int $0x80 on 6.1.192: an IDT entry like an exception's */
	"asm_int80_emulation", "error_entry", "sync_regs", "error_return",
	"restore_regs_and_return", "native_iret", "native_irq_return",
	/* the 32-bit vDSO's way in (sysenter, or syscall on AMD) and out */
	"entry_SYSENTER_compat", "__end_entry_SYSENTER_compat",
	"entry_SYSCALL_compat", "sysret32_from_system_call",
	"entry_SYSRETL_compat", NULL,
};
static const char *const no_names[] = { NULL };
/*
 * arm64's entry.S: the vector table (VBAR_EL1; with KPTI the trampoline's,
 * with the Spectre-BHB loop its own copies), the EL0 synchronous
 * exception's entry (kernel_entry) and ret_to_user (kernel_exit, eret).
 * By name: el0t_64_sync_handler, beside el0t_64_sync, is C.
 */
static const char *const arm64_asm_exact[] = {
	"vectors", "el0t_64_sync", "el0t_32_sync", "ret_to_user",
	"tramp_vectors", "tramp_exit_native", "tramp_exit_compat",
	"__bp_harden_el1_vectors", NULL,
};

static const struct trace_arch arches[] = {
	{
		.arch = ARCH_X86_64, .gdb = "gdb",
		.names = { "syscall", "kernel", "function", "batch1", "batch4",
			   "int80", "vdso32" },
		.icount_row = {
			{ "lab_null_syscall", "x86_64" },
			{ "kernel_direct", "kernel" },
			{ "library_call", "x86_64" },
			{ "batch_lab_batch", "x86_64" },
			{ "batch_lab_batch", "x86_64" },
			{ "lab_null_int80", "x86_64" },
			{ "lab_null_vdso32", "i386" },
		},
		.stage_syscall = STAGE_SYSCALL, .stage_return = STAGE_RETURN,
		.asm_prefix = x86_asm_prefix, .asm_exact = no_names,
		.syscall_insn = "syscall", .syscall_site = "lab_call_site_syscall",
	},
	{
		.arch = ARCH_ARM64, .gdb = "gdb-multiarch",
		.names = { "svc", "kernel", "function", "batch1", "batch4",
			   [P_SVC32] = "svc32" },
		.icount_row = {
			{ "lab_null_svc", "arm64" },
			{ "kernel_direct", "kernel" },
			{ "library_call", "arm64" },
			{ "batch_lab_batch", "arm64" },
			{ "batch_lab_batch", "arm64" },
			[P_SVC32] = { "lab_null_svc32", "arm" },
		},
		.stage_syscall = STAGE_SVC, .stage_return = STAGE_RETURN_ERET,
		.asm_prefix = no_names, .asm_exact = arm64_asm_exact,
		.syscall_insn = "svc #0", .syscall_site = "lab_call_site_svc",
	},
};

/* Whether the architecture has path p. */
static bool has_path(const struct trace_arch *arch, int p)
{
	return arch->names[p] != NULL;
}
/*
 * The row's ops (bench/lab_row.h's curve rows: operations per crossing,
 * figures per operation; 0 for every other row): for the batch paths, the
 * records their lab_batch() carries. A crossing is the median times ops.
 */
static const unsigned int icount_ops[NPATHS] = { 0, 0, 0, 1, 4, 0, 0, 0 };
/* batch4 carries this many records more than batch1. */
#define BATCH_MORE 3

/* The order of the chart's bars and the summary's lines. */
static const int path_order[NPATHS] = {
	P_SYSCALL, P_SVC32, P_INT80, P_VDSO32, P_BATCH1, P_BATCH4, P_KERNEL, P_FUNCTION,
};

static bool syscall_like(int p)
{
	return p == P_SYSCALL || p == P_BATCH1 || p == P_BATCH4 || p == P_INT80 ||
	       p == P_VDSO32 || p == P_SVC32;
}

/* the 32-bit vDSO path: the user instructions around the kernel's */
#define STAGE_VDSO_IN "user: call, vDSO to the kernel"
#define STAGE_VDSO_OUT "user: vDSO back, ret"
#define STAGE_CALL "call"
#define STAGE_CALLEE "body"
#define SYSCALL_STAGES 6
#define VDSO_STAGES 7
/* Below this, a user address (x86-64's canonical lower half). */
#define USER_END 0x0000800000000000ULL

struct insn {
	char *pc, *sym, *text;
	const char *stage;
};

struct path {
	struct insn *v;
	size_t n;
	bool cut_off;
};

#define MAX_SETTINGS TRACE_SETTINGS_MAX

struct setting {
	const struct trace_arch *arch;	/* the architecture traced */
	const char *mit;	/* default, off, or a --setting's NAME */
	const char *append;	/* its kernel command-line words, or NULL */
	char *dir;
	char *failure;		/* why there is no trace, or NULL */
	struct path p[NPATHS];
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

struct args {
	const struct trace_arch *arch;	/* the architecture traced */
	const char *kernel, *kobj, *initrd, *guest, *out;
	unsigned int timeout_s;
	bool check_only;
	char *mits[MAX_SETTINGS];
	char *appends[MAX_SETTINGS];	/* NULL: the defaults */
	int nmits;
};

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static char *absolute(const char *path)
{
	char *p = realpath(path, NULL);

	if (!p)
		die("%s: %s", path, strerror(errno));
	return p;
}

/* A checked-in file of the lab (util.h's lab_path()), or die. */
static char *lab_file(const char *rel)
{
	char *p = lab_path(rel);

	if (!p)
		die("cannot find the lab's %s (run lab trace at the top of the lab)", rel);
	return p;
}

/* The last few lines of a log, indented, on stderr. */
static void show_tail(const char *path, int lines)
{
	char *text = read_file(path, NULL);
	char *p;
	int seen = 0;

	if (!text)
		return;
	p = text + strlen(text);
	while (p > text && p[-1] == '\n')
		*--p = '\0';
	while (p > text && seen < lines)
		if (*--p == '\n')
			seen++;
	if (*p == '\n')
		p++;
	for (char *line = strtok(p, "\n"); line; line = strtok(NULL, "\n"))
		fprintf(stderr, "    | %s\n", line);
	free(text);
}

/* The settings of t, in order, into a (its mits and appends); dies if t
 * is not sound (trace_opts_check). */
static void settings_of(const struct trace_opts *t, struct args *a)
{
	const char *mits = t->mitigations ? t->mitigations :
			   t->check_only && !t->nsettings ? "default" : "default off";
	char why[400], *copy, *save = NULL;

	if (trace_opts_check(t, why, sizeof(why)))
		die("lab trace: %s", why);
	memset(a, 0, sizeof(*a));
	copy = xstrdup(mits);
	for (char *m = strtok_r(copy, " ,", &save); m; m = strtok_r(NULL, " ,", &save)) {
		a->appends[a->nmits] = strcmp(m, "off") ? NULL : xstrdup("mitigations=off");
		a->mits[a->nmits++] = xstrdup(m);
	}
	free(copy);
	for (unsigned int k = 0; k < t->nsettings; k++) {
		const char *eq = strchr(t->settings[k], '=');

		a->appends[a->nmits] = xstrdup(eq + 1);
		a->mits[a->nmits++] = strndup(t->settings[k], (size_t)(eq - t->settings[k]));
	}
	a->kernel = t->kernel;
	a->kobj = t->kobj;
	a->initrd = t->initrd;
	a->guest = t->guest;
	a->out = t->out;
	a->timeout_s = t->timeout_s;
	a->check_only = t->check_only;
}

/* ---- one traced boot -------------------------------------------------- */

/* Waits for pid until deadline_ms (or an interruption), then kills it.
 * Returns 0 with *status when it ended by itself, -1 if it was killed. */
static int wait_until(pid_t pid, long long deadline_ms, int *status, int sig)
{
	for (;;) {
		pid_t w = waitpid(pid, status, WNOHANG);

		if (w == pid)
			return 0;
		if (w < 0 && errno != EINTR)
			die("waitpid: %s", strerror(errno));
		if (lab_interrupted || now_ms() >= deadline_ms) {
			kill(pid, sig);
			while (waitpid(pid, status, 0) < 0 && errno == EINTR)
				;
			return -1;
		}
		sleep_ms(20);
	}
}

/* lab_boot in a child: it blocks until the guest ends, and gdb must run
 * meanwhile. The child stops its QEMU if this process dies. */
static pid_t spawn_boot(const struct boot_opts *b)
{
	pid_t parent = getpid(), pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		struct boot_result r;

		boot_install_signals();
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(1);
		lab_boot(b, &r);
		_exit(r.outcome == OUTCOME_OK ? 0 : 1);
	}
	return pid;
}

static pid_t spawn_gdb(const struct trace_arch *arch, const char *config, const char *script,
		       const char *log)
{
	json_t *s = json_string(config);
	char *lit = json_dumps(s, JSON_ENCODE_ANY);
	char *setcfg = xasprintf("python LAB_TRACE_CONFIG = %s", lit);
	char *argv[] = { (char *)arch->gdb, "-nx", "-batch", "-ex", setcfg, "-x",
			 (char *)script, NULL };
	pid_t parent = getpid(), pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		/* its own group: a Ctrl-C is this process's to handle */
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent || null < 0 || fd < 0)
			_exit(127);
		dup2(null, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		execvp(argv[0], argv);
		dprintf(fd, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	json_decref(s);
	free(lit);
	free(setcfg);
	return pid;
}

/* The gdb configuration: everything lab_trace.py needs, in one file. */
static void write_config(const char *path, const struct args *a,
			 const char *sock, const char *out)
{
	const struct trace_arch *arch = a->arch;
	char *vmlinux = xasprintf("%s/vmlinux", a->kobj);
	char *us = xasprintf("%s/user_syscall", a->guest);
	char *uf = xasprintf("%s/user_functioncall", a->guest);
	char *bb = xasprintf("%s/bench_batch", a->guest);
	char *bu = xasprintf("%s/bench_user", a->guest);
	char *us32 = xasprintf("%s/user_syscall32", a->guest);
	char *bu32 = xasprintf("%s/bench_user32", a->guest);
	char *vdso = xasprintf("%s/" VDSO32_DBG, a->kobj);
	char *text;
	json_t *c;

	c = json_pack("{s:s, s:s, s:s, s:f, s:s, s:s, s:s, s:i, s:s}",
		      "schema", "lab-trace-config/1", "arch", arch_name(arch->arch),
		      "socket", sock, "connect_wait_s", 5.0, "vmlinux", vmlinux,
		      "user_syscall", us, "user_functioncall", uf,
		      "max_steps", MAX_STEPS, "out", out);
	/* the 32-bit vDSO path (x86), the AArch32 svc path (arm64) */
	if (has_path(arch, P_VDSO32) || has_path(arch, P_SVC32))
		json_object_set_new(c, "user_syscall32", json_string(us32));
	if (has_path(arch, P_VDSO32))
		json_object_set_new(c, "vdso32", json_string(vdso));
	/* only read (its lab_batch() loop's set-up), never run; optional */
	if (file_exists(bb))
		json_object_set_new(c, "bench_batch", json_string(bb));
	/* the same for the vDSO (svc) loop of the 32-bit benchmark */
	if ((has_path(arch, P_VDSO32) || has_path(arch, P_SVC32)) && file_exists(bu32))
		json_object_set_new(c, "bench_user32", json_string(bu32));
	/* and bench_user's loop of the null system call (read on arm64) */
	if (file_exists(bu))
		json_object_set_new(c, "bench_user", json_string(bu));
	free(bb);
	free(bu);
	free(us32);
	free(bu32);
	free(vdso);
	text = json_dumps(c, JSON_INDENT(1));
	write_file(path, text, strlen(text));
	free(text);
	json_decref(c);
	free(vmlinux);
	free(us);
	free(uf);
}

/* What lab_boot said in the run's meta.json. */
static char *boot_failure(const char *dir, int child_status)
{
	char *err = NULL, *why;
	struct run *r = run_load(dir, "trace", &err);

	if (!r) {
		why = xasprintf("the traced boot left no record (%s)", err);
		free(err);
		return why;
	}
	if (!strcmp(run_outcome(r), "ok") && WIFEXITED(child_status) &&
	    WEXITSTATUS(child_status) == 0) {
		run_free(r);
		return NULL;
	}
	why = xasprintf("the traced guest did not finish well (%s%s%s); console: %s/console.log",
			run_outcome(r), *run_reason(r) ? ": " : "", run_reason(r), dir);
	run_free(r);
	return why;
}

static bool log_says_done(const char *log)
{
	char *text = read_file(log, NULL);
	bool done = text && strstr(text, "lab-trace: done\n");

	free(text);
	return done;
}

static char *symbol_base(const char *sym);

/* trace.json (lab_trace.py's) into s; NULL or why not. */
static char *load_trace(struct setting *s, const char *path)
{
	const struct trace_arch *arch = s->arch;
	json_error_t err;
	json_t *t = json_load_file(path, 0, &err), *paths, *sites, *cut;
	char *why = NULL;

	if (!t)
		return xasprintf("%s: %s", path, err.text);
	sites = json_object_get(t, "sites");
	paths = json_object_get(t, "paths");
	cut = json_object_get(t, "cut_off");
	if (!json_is_integer(json_object_get(sites, "setup")) || !json_is_object(paths)) {
		why = xasprintf("%s: no sites or paths", path);
		goto out;
	}
	s->setup = (int)json_integer_value(json_object_get(sites, "setup"));
	for (int p = P_BATCH1; p <= P_INT80; p++) {
		json_t *site = has_path(arch, p) ? json_object_get(sites, arch->names[p]) : NULL;

		if (!has_path(arch, p))
			continue;
		if (!json_is_integer(json_object_get(site, "setup"))) {
			why = xasprintf("%s: no %s call site", path, arch->names[p]);
			goto out;
		}
		s->batch_setup[p] = (int)json_integer_value(json_object_get(site, "setup"));
	}
	{
		/* arm64: bench_user's loop of the null system call, as read */
		json_t *site = json_object_get(sites, arch->names[P_SYSCALL]);
		json_t *bench = json_object_get(site, "bench");
		json_t *note = json_object_get(site, "bench_note");

		s->syscall_bench_extra = -1;
		if (json_is_integer(json_object_get(bench, "extra")))
			s->syscall_bench_extra = (int)json_integer_value(json_object_get(bench, "extra"));
		else if (json_is_string(note))
			s->syscall_bench_note = xstrdup(json_string_value(note));
	}
	if (has_path(arch, P_SVC32)) {
		/* arm64: the AArch32 svc's site, bench_user32's loop of it */
		json_t *site = json_object_get(sites, arch->names[P_SVC32]);
		json_t *bench = json_object_get(site, "bench");
		json_t *note = json_object_get(site, "bench_note");

		if (!json_is_integer(json_object_get(site, "setup"))) {
			why = xasprintf("%s: no %s call site", path, arch->names[P_SVC32]);
			goto out;
		}
		s->svc32_setup = (int)json_integer_value(json_object_get(site, "setup"));
		s->svc32_bench_extra = -1;
		if (json_is_integer(json_object_get(bench, "extra")))
			s->svc32_bench_extra = (int)json_integer_value(json_object_get(bench, "extra"));
		else
			s->svc32_bench_note = xstrdup(json_is_string(note) ? json_string_value(note)
						      : "lab_trace.py did not read bench_user32's loop");
	}
	for (int p = 0; p < NPATHS; p++) {
		/* the calls skipped for a refill of get_random_u16()'s batch */
		json_t *site = has_path(arch, p) ? json_object_get(sites, arch->names[p]) : NULL;
		json_t *skipped = json_object_get(site, "refills_skipped"), *one;
		struct strbuf b = { 0 };
		size_t i;

		s->refilled[p] = json_is_true(json_object_get(site, "refilled"));
		json_array_foreach(skipped, i, one) {
			json_t *fns = json_object_get(one, "functions"), *fn;
			size_t k;

			sb_printf(&b, "%scall %zu ran %lld instructions (", i ? "; " : "", i + 1,
				  (long long)json_integer_value(json_object_get(one, "instructions")));
			json_array_foreach(fns, k, fn)
				sb_printf(&b, "%s`%s`", k ? ", " : "", json_string_value(fn));
			sb_printf(&b, ")");
		}
		s->refills[p] = b.s;
	}
	if (has_path(arch, P_VDSO32)) {
		json_t *v = json_object_get(sites, "vdso32");
		json_t *run = json_object_get(v, "setup_run");
		json_t *bench = json_object_get(v, "bench");
		json_t *note = json_object_get(v, "bench_note");
		struct strbuf cn = { 0 };
		size_t i;
		json_t *row;

		if (!json_is_integer(json_object_get(v, "setup")) || !json_is_array(run)) {
			why = xasprintf("%s: no vdso32 call site", path);
			goto out;
		}
		s->vdso_setup = (int)json_integer_value(json_object_get(v, "setup"));
		s->vdso_setup_run = (int)json_array_size(run);
		s->vdso_callees = 0;
		/* the instructions of the functions the set-up called: those
		 * in a function other than the call site's own */
		json_array_foreach(run, i, row) {
			const char *sym = json_string_value(json_array_get(row, 1));
			char *base = symbol_base(sym ? sym : "?");
			char *item = xasprintf("`%s`", base);

			if (strcmp(base, "lab_call_site_vdso")) {
				s->vdso_callees++;
				if (!cn.s || !strstr(cn.s, item))
					sb_printf(&cn, "%s%s", cn.len ? ", " : "", item);
			}
			free(item);
			free(base);
		}
		s->vdso_callee_names = cn.s ? cn.s : xstrdup("none");
		s->vdso_bench_extra = -1;
		if (json_is_integer(json_object_get(bench, "extra")) &&
		    json_is_integer(json_object_get(bench, "setup"))) {
			s->vdso_bench_extra = (int)json_integer_value(json_object_get(bench, "extra"));
			s->vdso_bench_setup = (int)json_integer_value(json_object_get(bench, "setup"));
		} else {
			s->vdso_note = xstrdup(json_is_string(note) ? json_string_value(note)
					       : "lab_trace.py did not read bench_user32's loop");
		}
	}
	{
		json_t *bench = json_object_get(sites, "batch_bench");
		json_t *note = json_object_get(sites, "batch_bench_note");

		s->bench_extra = -1;
		if (json_is_integer(json_object_get(bench, "extra")) &&
		    json_is_integer(json_object_get(bench, "setup"))) {
			s->bench_extra = (int)json_integer_value(json_object_get(bench, "extra"));
			s->bench_setup = (int)json_integer_value(json_object_get(bench, "setup"));
		} else {
			s->bench_note = xstrdup(json_is_string(note) ? json_string_value(note)
					       : "lab_trace.py did not read bench_batch's loop");
		}
	}
	for (int p = 0; p < NPATHS; p++) {
		json_t *rows = has_path(arch, p) ? json_object_get(paths, arch->names[p]) : NULL;
		size_t i;
		json_t *row;

		if (!has_path(arch, p))
			continue;
		if (!json_is_array(rows) || !json_array_size(rows)) {
			why = xasprintf("%s: no %s path", path, arch->names[p]);
			goto out;
		}
		s->p[p].cut_off = json_is_true(json_object_get(cut, arch->names[p]));
		s->p[p].v = xcalloc(json_array_size(rows), sizeof(struct insn));
		json_array_foreach(rows, i, row) {
			const char *pc, *sym, *text;

			if (json_unpack(row, "[s,s,s]", &pc, &sym, &text)) {
				why = xasprintf("%s: %s row %zu is no [pc, symbol, instruction]",
						path, arch->names[p], i + 1);
				goto out;
			}
			s->p[p].v[i] = (struct insn){ xstrdup(pc), xstrdup(sym), xstrdup(text), NULL };
			s->p[p].n = i + 1;
		}
	}
out:
	json_decref(t);
	return why;
}

/* One traced boot of setting s. Returns 0, or sets s->failure. */
static int trace_setting(struct setting *s, const struct args *a,
			 const char *script)
{
	const struct trace_arch *arch = a->arch;
	char *config = xasprintf("%s/trace-config.json", s->dir);
	char *result = xasprintf("%s/trace.json", s->dir);
	char *log = xasprintf("%s/gdb.log", s->dir);
	char *bootdir = xasprintf("%s/boot", s->dir);
	const char *tmpdir = getenv("TMPDIR");
	/*
	 * norandmaps: user mappings at the same addresses every boot, so that
	 * the 32-bit vDSO (placed like an mmap) has the same addresses in two
	 * boots' listings (lab mitigations compares them by address).
	 */
	char *append = s->append ? xasprintf("%s norandmaps", s->append) : xstrdup("norandmaps");
	char *sockdir, *sock;
	struct boot_opts b = {
		.kernel = a->kernel, .initrd = a->initrd, .plan = "trace",
		.out = bootdir, .mode = MODE_TCG, .timeout_s = a->timeout_s,
		.kobj = a->kobj, .arch = arch->arch,
		.append = append,
	};
	long long deadline;
	int bstatus = 0, gstatus = 0, gdb_ok, boot_ended = 0;
	pid_t boot, gdb = -1;
	struct stat st;
	char *why = NULL;

	/* The socket: in a private directory, short enough for sun_path. */
	if (!tmpdir || !*tmpdir || strlen(tmpdir) > 60)
		tmpdir = "/tmp";
	sockdir = xasprintf("%s/lab-trace.XXXXXX", tmpdir);
	if (!mkdtemp(sockdir))
		die("mkdtemp %s: %s", sockdir, strerror(errno));
	sock = xasprintf("%s/gdb.sock", sockdir);
	b.gdb = sock;
	write_config(config, a, sock, result);

	say("tracing (mitigations %s): TCG guest, gdbstub on %s", s->mit, sock);
	boot = spawn_boot(&b);
	/* QEMU starts stopped; gdb may connect once the socket is there. */
	deadline = now_ms() + SOCKET_WAIT_MS;
	while (!(stat(sock, &st) == 0 && S_ISSOCK(st.st_mode))) {
		if (waitpid(boot, &bstatus, WNOHANG) == boot) {
			boot_ended = 1;
			break;
		}
		if (lab_interrupted || now_ms() >= deadline)
			break;
		sleep_ms(10);
	}
	if (!boot_ended && stat(sock, &st) == 0 && S_ISSOCK(st.st_mode)) {
		gdb = spawn_gdb(arch, config, script, log);
		gdb_ok = wait_until(gdb, now_ms() + a->timeout_s * 1000LL,
				    &gstatus, SIGKILL) == 0 &&
			 WIFEXITED(gstatus) && WEXITSTATUS(gstatus) == 0 &&
			 log_says_done(log) && file_exists(result);
	} else {
		gdb_ok = 0;
	}
	if (!boot_ended) {
		/* After gdb detached the guest finishes its plan; if gdb
		 * failed, QEMU would wait stopped until the timeout: stop it. */
		if (!gdb_ok)
			kill(boot, SIGTERM);
		/* lab_boot keeps its own time limit; this is a backstop */
		wait_until(boot, now_ms() + (a->timeout_s + 30) * 1000LL,
			   &bstatus, SIGTERM);
	}
	unlink(sock);
	rmdir(sockdir);
	if (lab_interrupted)
		die("interrupted");
	if (gdb_ok) {
		why = boot_failure(bootdir, bstatus);
		if (!why)
			why = load_trace(s, result);
	} else if (gdb < 0) {
		why = boot_ended ? boot_failure(bootdir, bstatus) : NULL;
		if (!why)
			why = xasprintf("QEMU's gdbstub socket %s did not appear within %ds; see %s/qemu.log",
					sock, SOCKET_WAIT_MS / 1000, bootdir);
	} else {
		char *guest = boot_failure(bootdir, bstatus);

		show_tail(log, 5);
		/* the guest's own failure, not the stop that followed gdb's */
		if (guest && strstr(guest, "(interrupted"))
			guest[0] = '\0';
		why = xasprintf("gdb did not finish the trace; log: %s%s%s", log,
				guest && *guest ? "; " : "", guest ? guest : "");
		free(guest);
	}
	s->failure = why;
	if (why)
		fprintf(stderr, "lab: trace (mitigations %s) failed: %s\n", s->mit, why);
	free(sockdir);
	free(sock);
	free(config);
	free(result);
	free(log);
	free(bootdir);
	free(append);
	return why ? -1 : 0;
}

/* ---- stages ------------------------------------------------------------ */

/* The symbol without its +0xOFFSET. */
static char *symbol_base(const char *sym)
{
	const char *plus = strrchr(sym, '+');

	if (plus && !strncmp(plus, "+0x", 3) && plus[3] &&
	    strspn(plus + 3, "0123456789abcdef") == strlen(plus + 3))
		return xasprintf("%.*s", (int)(plus - sym), sym);
	return xstrdup(sym);
}

static bool starts_with_any(const char *s, const char *const *prefixes)
{
	for (; *prefixes; prefixes++)
		if (!strncmp(s, *prefixes, strlen(*prefixes)))
			return true;
	return false;
}

static bool is_any(const char *s, const char *const *names)
{
	for (; *names; names++)
		if (!strcmp(s, *names))
			return true;
	return false;
}

/*
 * Gives each instruction of a path its stage.
 *   syscall, batch1, batch4: the syscall instruction; entry (asm); entry
 *             work and dispatch; the syscall body; exit work; return to
 *             user (asm, sysret) (arm64's svc path: the svc instruction,
 *             ..., return to user (asm, eret))
 *   kernel, function: the call; the body (to its return)
 * Return and indirect-branch thunks count in the stage that used them.
 *
 * The body starts at the first function named for the call (lab_null,
 * lab_batch: __x64_sys_lab_batch) and holds everything it calls, up to the
 * first instruction back in a C function that ran before it (the
 * dispatcher it returns to) or in the exit work.
 */
static void stage_path(const struct trace_arch *arch, struct path *p, int which)
{
	/* the return's stage, named after the instruction that returns */
	const char *ret_stage = which == P_INT80 ? STAGE_RETURN_IRET : arch->stage_return;
	const char *body = which == P_BATCH1 || which == P_BATCH4 ? "lab_batch" : "lab_null";
	const char *stage = arch->stage_syscall;
	bool in_c = false, in_body = false, after_body = false;
	char **before = xcalloc(p->n + 1, sizeof(char *));
	size_t nbefore = 0;
	bool seen_kernel = false;

	if (which == P_VDSO32)
		for (size_t i = 0; i < p->n; i++) {
			if (!strncmp(p->v[i].text, "sysret", 6))
				ret_stage = STAGE_RETURN;
			else if (!strncmp(p->v[i].text, "sysexit", 7))
				ret_stage = STAGE_RETURN_SYSEXIT;
			else if (!strncmp(p->v[i].text, "iret", 4))
				ret_stage = STAGE_RETURN_IRET;
		}
	for (size_t i = 0; i < p->n; i++) {
		char *base = symbol_base(p->v[i].sym);
		bool ran_before = false;

		for (size_t k = 0; k < nbefore && !ran_before; k++)
			ran_before = !strcmp(before[k], base);
		if (!syscall_like(which)) {
			stage = i == 0 ? STAGE_CALL : STAGE_CALLEE;
		} else if (which == P_VDSO32 &&
			   strtoull(p->v[i].pc, NULL, 16) < USER_END) {
			/* the call, the vDSO's instructions up to the kernel,
			 * and after it */
			stage = seen_kernel ? STAGE_VDSO_OUT : STAGE_VDSO_IN;
		} else if (i == 0) {
			stage = arch->stage_syscall;
		} else if (starts_with_any(base, arch->asm_prefix) || is_any(base, arch->asm_exact)) {
			stage = !in_c ? STAGE_ENTRY : ret_stage;
		} else if (strstr(base, "thunk")) {
			/* keeps the stage that called it */
		} else {
			bool exit_fn = strstr(base, "exit_to_user") ||
				       strstr(base, "syscall_exit");

			in_c = true;
			if (!in_body && !after_body && strstr(base, body)) {
				stage = STAGE_BODY;
				in_body = true;
			} else if (in_body && !ran_before && !exit_fn) {
				stage = STAGE_BODY;
			} else if (in_body || after_body || exit_fn) {
				stage = STAGE_EXIT;
				in_body = false;
				after_body = true;
			} else {
				stage = STAGE_DISPATCH;
				if (!ran_before)
					before[nbefore++] = xstrdup(base);
			}
		}
		p->v[i].stage = stage;
		seen_kernel = seen_kernel || strtoull(p->v[i].pc, NULL, 16) >= USER_END;
		free(base);
	}
	for (size_t k = 0; k < nbefore; k++)
		free(before[k]);
	free(before);
}

static void write_staged(const struct setting *s)
{
	const struct trace_arch *arch = s->arch;
	for (int p = 0; p < NPATHS; p++) {
		struct strbuf b = { 0 };
		char *path;

		if (!has_path(arch, p))
			continue;
		path = xasprintf("%s/%s.staged", s->dir, arch->names[p]);

		for (size_t i = 0; i < s->p[p].n; i++) {
			const struct insn *in = &s->p[p].v[i];

			sb_printf(&b, "%zu\t%s\t%s\t%s\t%s\n", i + 1, in->pc,
				  in->sym, in->text, in->stage);
		}
		write_file(path, b.s ? b.s : "", b.len);
		sb_free(&b);
		free(path);
	}
}

/* Distinct strings in order of first appearance. */
struct names {
	const char **v;
	size_t n;
};

static size_t names_add(struct names *ns, const char *s)
{
	for (size_t i = 0; i < ns->n; i++)
		if (!strcmp(ns->v[i], s))
			return i;
	ns->v = xrealloc(ns->v, (ns->n + 1) * sizeof(*ns->v));
	ns->v[ns->n] = s;
	return ns->n++;
}

static size_t count_stage(const struct path *p, const char *stage)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++)
		n += !strcmp(p->v[i].stage, stage);
	return n;
}

/* ---- icount -------------------------------------------------------------- */

static void icount_setting(struct setting *s, const struct args *a)
{
	const struct trace_arch *arch = a->arch;
	char *dir = xasprintf("%s/icount", s->dir);
	char *name = xasprintf("icount-%s", s->mit);
	char *err = NULL;
	struct boot_opts b = {
		.kernel = a->kernel, .initrd = a->initrd, .plan = "bench-quick",
		.out = dir, .mode = MODE_ICOUNT, .timeout_s = a->timeout_s,
		.kobj = a->kobj, .arch = arch->arch,
		.append = s->append,
	};
	struct boot_result r;
	struct run *run;

	say("icount boot (mitigations %s), to compare", s->mit);
	lab_boot(&b, &r);
	if (lab_interrupted)
		die("interrupted");
	if (r.outcome != OUTCOME_OK)
		s->icount_note = xasprintf("the icount boot: %s (%s/console.log)",
					   r.reason, dir);
	run = run_load(dir, name, &err);
	if (!run) {
		free(s->icount_note);
		s->icount_note = err;
	} else {
		for (int p = 0; p < NPATHS; p++)
			for (size_t i = 0; has_path(arch, p) && i < run->rows.n && !s->have_icount[p]; i++) {
				const struct row *w = &run->rows.v[i];

				if (!strcmp(w->path, arch->icount_row[p][0]) &&
				    !strcmp(w->abi, arch->icount_row[p][1]) &&
				    w->ops == icount_ops[p]) {
					/* per operation: a crossing carries ops */
					s->icount[p] = (double)w->stat[ST_MEDIAN] / 1000.0 *
						       (icount_ops[p] ? icount_ops[p] : 1);
					s->have_icount[p] = true;
				}
			}
		if (!s->icount_note && run->nproblems)
			s->icount_note = xasprintf("the icount run: %s", run->problems[0]);
		run_free(run);
	}
	free(dir);
	free(name);
}

/*
 * The runs of rep-prefixed string instructions in a path (a run: one
 * execution, its iterations the rows at the same pc). icount counts one
 * step more for each than single-stepping shows: QEMU's x86 translator
 * (repz_opt) gives a rep instruction a last step with the count at zero
 * under icount, and leaves the loop straight after the last iteration when
 * it is not optimising jumps (a single-stepped guest).
 */
static int rep_runs(const struct path *p)
{
	static const char *const string_ops[] = {
		"movs", "stos", "lods", "cmps", "scas", "ins", "outs", NULL,
	};
	int runs = 0;

	for (size_t i = 0; i < p->n; i++) {
		const char *t = p->v[i].text, *op;

		if (strncmp(t, "rep", 3) || (i && !strcmp(p->v[i - 1].pc, p->v[i].pc)))
			continue;
		op = strchr(t, ' ');
		if (op && starts_with_any(op + 1, string_ops))
			runs++;
	}
	return runs;
}

/* ---- lab_batch: per record, once per crossing ------------------------------ */

/* What icount should count beyond the traced path, per crossing: for the
 * null system call the call site's set-up (arm64: bench_user's loop's, as
 * read), bench_batch's loop's for lab_batch() (or, if a loop could not be
 * read, the call site's). */
static int icount_extra(const struct setting *s, int p)
{
	if (p == P_SYSCALL)
		return s->syscall_bench_extra >= 0 ? s->syscall_bench_extra : s->setup;
	if (p == P_SVC32)
		return s->svc32_bench_extra >= 0 ? s->svc32_bench_extra : s->svc32_setup;
	if (p == P_BATCH1 || p == P_BATCH4)
		return s->bench_extra >= 0 ? s->bench_extra : s->batch_setup[p];
	if (p == P_INT80)
		return s->batch_setup[p];
	if (p == P_VDSO32)
		return s->vdso_bench_extra >= 0 ? s->vdso_bench_extra + s->vdso_callees
						 : s->vdso_setup_run;
	return 0;
}

/* (T4 - T1) / 3: the instructions one more record costs. */
static double per_record(const struct setting *s)
{
	return ((double)s->p[P_BATCH4].n - (double)s->p[P_BATCH1].n) / BATCH_MORE;
}

/* Per function (symbol without offset): its instructions in a path. */
struct fcount {
	char *fn;
	size_t n[2];
};

static size_t fcount_add(struct fcount **v, size_t *n, const char *fn)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i].fn, fn))
			return i;
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n] = (struct fcount){ xstrdup(fn), { 0, 0 } };
	return (*n)++;
}

/* The functions whose counts differ between batch1 and batch4, in order
 * of first appearance in batch4: where the per-record instructions are. */
static struct fcount *batch_diff(const struct setting *s, size_t *nout)
{
	struct fcount *v = NULL;
	size_t n = 0, kept = 0;
	const int which[2] = { P_BATCH1, P_BATCH4 };

	/* from 1: the syscall instructions, one each, are in call sites of
	 * different names */
	for (int w = 1; w >= 0; w--)
		for (size_t i = 1; i < s->p[which[w]].n; i++) {
			char *base = symbol_base(s->p[which[w]].v[i].sym);
			size_t k = fcount_add(&v, &n, base);	/* may move v */

			v[k].n[w]++;
			free(base);
		}
	for (size_t i = 0; i < n; i++) {
		if (v[i].n[0] != v[i].n[1])
			v[kept++] = v[i];
		else
			free(v[i].fn);
	}
	*nout = kept;
	return v;
}

static void free_fcounts(struct fcount *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].fn);
	free(v);
}

/* ---- checks -------------------------------------------------------------- */

static void checks_of(struct checks *c, const struct setting *s)
{
	const struct trace_arch *arch = s->arch;
	const char *m = s->mit;
	struct names stages = { 0 };

	if (s->failure) {
		sb_printf(&c->lines, "# %s\n", s->failure);
		for (int p = 0; p < NPATHS; p++) {
			if (!has_path(arch, p))
				continue;
			check(c, false, "trace %s (%s): traced vs icount %s: no trace",
			      arch->names[p], m, arch->icount_row[p][0]);
			check(c, false, "trace %s (%s): every instruction attributed to a symbol: no trace",
			      arch->names[p], m);
		}
		check(c, false, "trace %s (%s): all six stages seen: no trace",
		      arch->names[P_SYSCALL], m);
		if (has_path(arch, P_SVC32))
			check(c, false, "trace %s (%s): all six stages seen: no trace",
			      arch->names[P_SVC32], m);
		if (has_path(arch, P_VDSO32))
			check(c, false, "trace vdso32 (%s): all seven stages seen: no trace", m);
		check(c, false, "trace batch (%s): per record (batch4 - batch1) / %d > 0: no trace",
		      m, BATCH_MORE);
		return;
	}
	for (int p = 0; p < NPATHS; p++) {
		const struct path *tp = &s->p[p];
		int extra, reps;
		char *repnote, *setupnote, *row;
		size_t unnamed = 0;

		if (!has_path(arch, p))
			continue;
		extra = icount_extra(s, p);
		reps = rep_runs(&s->p[p]);
		repnote = reps ? xasprintf(" + %d rep end", reps) : xstrdup("");
		/* the vDSO's set-up: the loop as written, its callees as run */
		setupnote = p == P_VDSO32 && s->vdso_bench_extra >= 0 ?
			xasprintf(" (loop %d + %d in %s as run)", s->vdso_bench_extra,
				  s->vdso_callees, s->vdso_callee_names) :
			p == P_VDSO32 ? xstrdup(" (the call site's, as run)") :
			p == P_SYSCALL && s->syscall_bench_extra >= 0 ?
			xstrdup(" (bench_user's loop, as written)") :
			p == P_SVC32 && s->svc32_bench_extra >= 0 ?
			xstrdup(" (bench_user32's loop, as written)") : xstrdup("");
		row = icount_ops[p] ? xasprintf("%s (ops %u) per crossing", arch->icount_row[p][0],
						      icount_ops[p])
					  : xstrdup(arch->icount_row[p][0]);
		/* rounded to milliticks, the rows' unit: no float noise */
		double diff = round((s->icount[p] - (double)tp->n - extra - reps) * 1000) / 1000;
		bool agree = s->have_icount[p] && !tp->cut_off && fabs(diff) <= TOLERANCE;

		/* a diagnostic goes right before the result it explains */
		if (tp->cut_off)
			sb_printf(&c->lines, "# the %s path was cut off after %d instructions\n",
				  arch->names[p], MAX_STEPS);
		if (!agree && s->icount_note)
			sb_printf(&c->lines, "# %s\n", s->icount_note);
		if ((p == P_BATCH1 || p == P_BATCH4) && s->bench_extra < 0)
			sb_printf(&c->lines, "# %s; the set-up assumed: the call site's %d instructions\n",
				  s->bench_note, extra);
		if (p == P_VDSO32 && s->vdso_bench_extra < 0)
			sb_printf(&c->lines, "# %s; the set-up assumed: the call site's as it ran (%d instructions, its prologue too)\n",
				  s->vdso_note, extra);
		if (p == P_SYSCALL && s->syscall_bench_note)
			sb_printf(&c->lines, "# %s; the set-up assumed: the call site's %d instructions\n",
				  s->syscall_bench_note, extra);
		if (p == P_SVC32 && s->svc32_bench_note)
			sb_printf(&c->lines, "# %s; the set-up assumed: the call site's %d instructions\n",
				  s->svc32_bench_note, extra);
		if (s->refills[p])
			sb_printf(&c->lines, "# %s: skipped, as refilling get_random_u16()'s batch "
				  "(icount's median leaves such calls out): %s; the next call traced\n",
				  arch->names[p], s->refills[p]);
		if (s->refilled[p])
			sb_printf(&c->lines, "# %s: the traced call refilled get_random_u16()'s batch too "
				  "(every call of the site did): not what icount's median counts\n",
				  arch->names[p]);
		if (s->have_icount[p]) {
			check(c, agree,
			      "trace %s (%s): %zu traced + %d set-up%s%s vs icount %s %g (difference %g, tolerance %d)",
			      arch->names[p], m, tp->n, extra, setupnote, repnote, row, s->icount[p],
			      diff, TOLERANCE);
		} else {
			check(c, false, "trace %s (%s): %zu traced + %d set-up%s%s vs icount %s: no such row (abi %s)",
			      arch->names[p], m, tp->n, extra, setupnote, repnote, row, arch->icount_row[p][1]);
		}
		free(row);
		free(repnote);
		free(setupnote);
		for (size_t i = 0; i < tp->n; i++)
			unnamed += tp->v[i].sym[0] == '?';
		if (unnamed)
			sb_printf(&c->lines, "# %zu instructions without a symbol in %s/%s.staged\n",
				  unnamed, s->dir, arch->names[p]);
		check(c, !unnamed, "trace %s (%s): every instruction attributed to a symbol",
		      arch->names[p], m);
	}
	for (size_t i = 0; i < s->p[P_SYSCALL].n; i++)
		names_add(&stages, s->p[P_SYSCALL].v[i].stage);
	check(c, stages.n == SYSCALL_STAGES, "trace %s (%s): all six stages seen (%zu)",
	      arch->names[P_SYSCALL], m, stages.n);
	free(stages.v);
	stages = (struct names){ 0 };
	if (has_path(arch, P_SVC32)) {
		for (size_t i = 0; i < s->p[P_SVC32].n; i++)
			names_add(&stages, s->p[P_SVC32].v[i].stage);
		check(c, stages.n == SYSCALL_STAGES, "trace %s (%s): all six stages seen (%zu)",
		      arch->names[P_SVC32], m, stages.n);
		free(stages.v);
		stages = (struct names){ 0 };
	}
	if (has_path(arch, P_VDSO32)) {
		for (size_t i = 0; i < s->p[P_VDSO32].n; i++)
			names_add(&stages, s->p[P_VDSO32].v[i].stage);
		check(c, stages.n == VDSO_STAGES, "trace vdso32 (%s): all seven stages seen (%zu)",
		      m, stages.n);
		free(stages.v);
	}
	{
		size_t t1 = s->p[P_BATCH1].n, t4 = s->p[P_BATCH4].n;
		bool whole = !s->p[P_BATCH1].cut_off && !s->p[P_BATCH4].cut_off;

		if (!whole)
			sb_printf(&c->lines, "# a batch path was cut off after %d instructions\n",
				  MAX_STEPS);
		check(c, whole && t4 > t1 && per_record(s) > 0,
		      "trace batch (%s): per record (batch4 %zu - batch1 %zu) / %d = %g > 0",
		      m, t4, t1, BATCH_MORE, per_record(s));
	}
}

/* ---- report --------------------------------------------------------------- */

/* Per stage, in order of first appearance, one column per setting. */
static void stage_table(struct strbuf *b, struct setting **ok, int nok, int p)
{
	struct names stages = { 0 };

	for (int j = 0; j < nok; j++)
		for (size_t i = 0; i < ok[j]->p[p].n; i++)
			names_add(&stages, ok[j]->p[p].v[i].stage);
	sb_printf(b, "| stage |");
	for (int j = 0; j < nok; j++)
		sb_printf(b, " %s |", ok[j]->mit);
	sb_printf(b, "\n|---|");
	for (int j = 0; j < nok; j++)
		sb_printf(b, "---:|");
	sb_printf(b, "\n");
	for (size_t k = 0; k < stages.n; k++) {
		sb_printf(b, "| %s |", stages.v[k]);
		for (int j = 0; j < nok; j++)
			sb_printf(b, " %zu |", count_stage(&ok[j]->p[p], stages.v[k]));
		sb_printf(b, "\n");
	}
	sb_printf(b, "| **total** |");
	for (int j = 0; j < nok; j++)
		sb_printf(b, " **%zu** |", ok[j]->p[p].n);
	sb_printf(b, "\n");
	free(stages.v);
}

/* Per function (symbol without offset) and stage, in order of first
 * appearance: the entry code's asm runs both before and after the C part. */
static void symbol_table(struct strbuf *b, const struct path *p)
{
	struct names keys = { 0 };
	char **owned = xcalloc(p->n, sizeof(char *));
	size_t *counts = xcalloc(p->n, sizeof(size_t));

	for (size_t i = 0; i < p->n; i++) {
		char *base = symbol_base(p->v[i].sym);

		owned[i] = xasprintf("%s\t%s", base, p->v[i].stage);
		free(base);
		counts[names_add(&keys, owned[i])]++;
	}
	sb_printf(b, "| function | stage | instructions |\n|---|---|---:|\n");
	for (size_t k = 0; k < keys.n; k++) {
		const char *tab = strchr(keys.v[k], '\t');

		sb_printf(b, "| `%.*s` | %s | %zu |\n", (int)(tab - keys.v[k]),
			  keys.v[k], tab + 1, counts[k]);
	}
	for (size_t i = 0; i < p->n; i++)
		free(owned[i]);
	free(owned);
	free(counts);
	free(keys.v);
}

/* The chart: stacked bars, one per path and setting, one colour per stage,
 * drawn by trace/stages.gp. Returns true if the chart is there. */
static bool chart(const char *out, struct setting **ok, int nok)
{
	const struct trace_arch *arch = ok[0]->arch;
	char *dat = xasprintf("%s/chart-stages.dat", out);
	char *png = xasprintf("%s/chart-stages.png", out);
	const struct plot_var vars[] = { { "datafile", dat, 0 } };
	struct names stages = { 0 };
	struct strbuf b = { 0 };
	char *why = NULL;
	bool done;

	for (int j = 0; j < nok; j++)
		for (int p = 0; p < NPATHS; p++)
			for (size_t i = 0; i < ok[j]->p[p].n; i++)
				names_add(&stages, ok[j]->p[p].v[i].stage);
	sb_printf(&b, "stage");
	for (size_t k = 0; k < stages.n; k++)
		sb_printf(&b, "\t%s", stages.v[k]);
	sb_printf(&b, "\n");
	for (int j = 0; j < nok; j++)
		for (int o = 0; o < NPATHS; o++) {
			int p = path_order[o];

			if (!has_path(arch, p))
				continue;
			sb_printf(&b, "%s (%s)", arch->names[p], ok[j]->mit);
			for (size_t k = 0; k < stages.n; k++)
				sb_printf(&b, "\t%zu", count_stage(&ok[j]->p[p], stages.v[k]));
			sb_printf(&b, "\n");
		}
	write_file(dat, b.s, b.len);
	sb_free(&b);
	free(stages.v);
	done = plot("trace/stages.gp", png, vars, 1, &why);
	if (!done)
		say("no chart: %s", why);
	free(why);
	free(dat);
	free(png);
	return done;
}

/*
 * lab_batch(): T1 and T4, per record and once per crossing, icount's
 * figures beside them, the stages, and where the per-record instructions
 * are (per function, batch4 less batch1).
 */
static void batch_section(struct strbuf *b, struct setting **ok, int nok)
{
	const struct trace_arch *arch = ok[0]->arch;
	sb_printf(b, "## lab_batch(): per record and once per crossing\n\n"
		  "One `lab_batch()` of 1 and one of %d `LAB_BATCH_NULL` records, from\n"
		  "`lab_call_site_batch1()` and `lab_call_site_batch4()` in user_syscall (the\n"
		  "records filled before; each call site only sets up the arguments and runs\n"
		  "`%s`), traced like the null system call. Their body stage is\n"
		  "`%s` and everything it calls, up to the return into the\n"
		  "dispatcher. With T1 and T4 their totals:\n\n"
		  "- **per record** = (T4 - T1) / %d: what one more record costs (the records\n"
		  "  after the first also pass a `cond_resched()`, which the first does not);\n"
		  "- **once per crossing** = T1 - per record: entry, dispatch, the batch's own\n"
		  "  checks, exit and return, whatever the number of records.\n\n",
		  BATCH_MORE + 1, arch->syscall_insn,
		  arch->arch == ARCH_ARM64 ? "__arm64_sys_lab_batch" : "__x64_sys_lab_batch",
		  BATCH_MORE);
	sb_printf(b, "| |");
	for (int j = 0; j < nok; j++)
		sb_printf(b, " %s |", ok[j]->mit);
	sb_printf(b, "\n|---|");
	for (int j = 0; j < nok; j++)
		sb_printf(b, "---:|");
	sb_printf(b, "\n| batch1: 1 record (T1) |");
	for (int j = 0; j < nok; j++)
		sb_printf(b, " %zu |", ok[j]->p[P_BATCH1].n);
	sb_printf(b, "\n| batch4: %d records (T4) |", BATCH_MORE + 1);
	for (int j = 0; j < nok; j++)
		sb_printf(b, " %zu |", ok[j]->p[P_BATCH4].n);
	sb_printf(b, "\n| **per record**, (T4 - T1) / %d |", BATCH_MORE);
	for (int j = 0; j < nok; j++)
		sb_printf(b, " **%.4g** |", per_record(ok[j]));
	sb_printf(b, "\n| **once per crossing**, T1 - per record |");
	for (int j = 0; j < nok; j++)
		sb_printf(b, " **%.4g** |", (double)ok[j]->p[P_BATCH1].n - per_record(ok[j]));
	sb_printf(b, "\n| of those, in the body (lab_batch()'s own set-up and checks) |");
	for (int j = 0; j < nok; j++)
		sb_printf(b, " %.4g |", (double)count_stage(&ok[j]->p[P_BATCH1], STAGE_BODY) -
					per_record(ok[j]));
	sb_printf(b, "\n| of those, the crossing (every other stage; batch4: the same) |");
	for (int j = 0; j < nok; j++) {
		size_t out1 = ok[j]->p[P_BATCH1].n - count_stage(&ok[j]->p[P_BATCH1], STAGE_BODY);
		size_t out4 = ok[j]->p[P_BATCH4].n - count_stage(&ok[j]->p[P_BATCH4], STAGE_BODY);

		if (out1 == out4)
			sb_printf(b, " %zu |", out1);
		else
			sb_printf(b, " %zu (batch4: %zu) |", out1, out4);
	}
	for (int p = P_BATCH1; p <= P_BATCH4; p++) {
		sb_printf(b, "\n| icount, %u record%s a crossing (ops %u), against the expected |",
			  icount_ops[p], icount_ops[p] == 1 ? "" : "s", icount_ops[p]);
		for (int j = 0; j < nok; j++) {
			int extra = icount_extra(ok[j], p), reps = rep_runs(&ok[j]->p[p]);

			if (ok[j]->have_icount[p])
				sb_printf(b, " %g (%zu + %d + %d = %zu) |", ok[j]->icount[p],
					  ok[j]->p[p].n, extra, reps,
					  ok[j]->p[p].n + (size_t)(extra + reps));
			else
				sb_printf(b, " no row |");
		}
	}
	sb_printf(b, "\n| icount per record, (crossing at 4 - at 1) / %d |", BATCH_MORE);
	for (int j = 0; j < nok; j++) {
		if (ok[j]->have_icount[P_BATCH1] && ok[j]->have_icount[P_BATCH4])
			sb_printf(b, " %.4g |", (ok[j]->icount[P_BATCH4] -
						ok[j]->icount[P_BATCH1]) / BATCH_MORE);
		else
			sb_printf(b, " - |");
	}
	sb_printf(b, "\n\nThe expected: traced + the benchmark loop's set-up + one step per `rep`\n"
		  "string instruction run (see *Against icount*).\n\n");

	for (int p = P_BATCH1; p <= P_BATCH4; p++) {
		sb_printf(b, "**%s**, per stage\n\n", arch->names[p]);
		stage_table(b, ok, nok, p);
		sb_printf(b, "\n");
	}

	for (int j = 0; j < nok; j++) {
		size_t n;
		struct fcount *d = batch_diff(ok[j], &n);
		long sum = 0;

		sb_printf(b, "**Where the per-record instructions are, mitigations %s** "
			  "(per function, batch4 less batch1; every other function runs "
			  "as often in both)\n\n"
			  "| function | batch1 | batch4 | batch4 - batch1 | per record |\n"
			  "|---|---:|---:|---:|---:|\n", ok[j]->mit);
		for (size_t i = 0; i < n; i++) {
			long more = (long)d[i].n[1] - (long)d[i].n[0];

			sum += more;
			sb_printf(b, "| `%s` | %zu | %zu | %+ld | %.4g |\n", d[i].fn,
				  d[i].n[0], d[i].n[1], more, (double)more / BATCH_MORE);
		}
		sb_printf(b, "| **total** | | | **%+ld** | **%.4g** |\n\n", sum,
			  (double)sum / BATCH_MORE);
		free_fcounts(d, n);
	}
}

static void write_report(const char *out, struct setting *all, int nall,
			 struct setting **ok, int nok, const struct checks *c,
			 bool have_chart)
{
	const struct trace_arch *arch = all[0].arch;
	struct strbuf b = { 0 };
	char *path = xasprintf("%s/report.md", out);
	int setup = nok ? ok[0]->setup : 0;

	sb_printf(&b, "# Where a system call's instructions go (%s)\n\n"
		  "One call of each path, single-stepped in the lab kernel under TCG through\n"
		  "QEMU's gdbstub (interrupts masked while stepping), symbolised by gdb against\n"
		  "the minimal symbols of the lab kernel's `vmlinux` and of the static user\n"
		  "programs.\n\n", arch_name(arch->arch));
	if (arch->arch == ARCH_ARM64)
		sb_printf(&b, "- **svc**: from the `svc #0` in `lab_call_site_svc()` (x8 the lab_null\n"
			  "  number) to the first user instruction after it: the EL0 synchronous\n"
			  "  exception's vector (`vectors+0x400`), `el0t_64_sync` (kernel_entry),\n"
			  "  `el0t_64_sync_handler`, `el0_svc`, `do_el0_svc`, `el0_svc_common`,\n"
			  "  `invoke_syscall`, `__arm64_sys_lab_null`, the exit work, and `ret_to_user`\n"
			  "  (kernel_exit) to its `eret`;\n"
			  "- **batch1**, **batch4**: the same from `lab_call_site_batch1()` and\n"
			  "  `lab_call_site_batch4()`, one `lab_batch()` of 1 and of 4 `LAB_BATCH_NULL`\n"
			  "  records;\n"
			  "- **kernel**: the module's `bl ksys_lab_null` (the in-kernel system call) to the\n"
			  "  instruction after it (the link register);\n"
			  "- **function**: `bl lab_null_function` in user space to the instruction after it;\n"
			  "- **svc32**: from the `svc #0` in the 32-bit (AArch32, Thumb-2) user_syscall32's\n"
			  "  `lab_call_site_svc32()` (r7 the compat table's lab_null number) to the user\n"
			  "  instruction after it: `vectors+0x600` (EL0 32-bit sync), `el0t_32_sync`,\n"
			  "  `el0t_32_sync_handler`, `el0_svc_compat`, `do_el0_svc_compat`,\n"
			  "  `el0_svc_common` with `compat_sys_call_table`, `invoke_syscall`, the body,\n"
			  "  the exit work and `ret_to_user`'s `eret` (QEMU's gdbstub shows an aarch64\n"
			  "  CPU's 64-bit registers only, stale in AArch32: the user pc there is read\n"
			  "  from QEMU's monitor and the user instruction decoded by objdump).\n\n"
			  "Every system call's way out on arm64 takes a random kernel stack offset from\n"
			  "`get_random_u16()`; one call in 48 finds its per-CPU batch used up and refills\n"
			  "it (`_get_random_bytes`, `crng_make_state`, `chacha_block_generic`: some 2800\n"
			  "instructions), a call icount's median leaves out. user_syscall(32) runs each\n"
			  "traced call site three times in a row; a traced call that refilled is\n"
			  "skipped and the next one traced (the checks below say when).\n\n");
	else
		sb_printf(&b, "- **syscall**: from the `syscall` instruction in `lab_call_site_syscall()` to the\n"
		  "  first user instruction after it;\n"
		  "- **batch1**, **batch4**: the same from `lab_call_site_batch1()` and\n"
		  "  `lab_call_site_batch4()`, one `lab_batch()` of 1 and of 4 `LAB_BATCH_NULL`\n"
		  "  records;\n"
		  "- **int80**: `int $0x80` in `lab_call_site_int80()` (the 32-bit table, from the\n"
		  "  64-bit user_syscall) to the user instruction after it;\n"
		  "- **kernel**: the module's `call ksys_lab_null` (the in-kernel system call) to the\n"
		  "  instruction after it;\n"
		  "- **function**: `call lab_null_function` in user space to the instruction after it.\n\n");
	for (int j = 0; j < nall; j++)
		if (all[j].failure)
			sb_printf(&b, "**No trace with mitigations %s:** %s\n\n",
				  all[j].mit, all[j].failure);
	if (nok) {
		sb_printf(&b, "## The null system call, per stage\n\n");
		stage_table(&b, ok, nok, P_SYSCALL);
	}
	if (nok && has_path(arch, P_SVC32)) {
		sb_printf(&b, "\n## The null system call from a 32-bit (AArch32) program, per stage\n\n");
		stage_table(&b, ok, nok, P_SVC32);
	}
	if (nok && has_path(arch, P_INT80)) {
		sb_printf(&b, "\n## The null system call through int $0x80 (64-bit process), per stage\n\n");
		stage_table(&b, ok, nok, P_INT80);
	}
	if (nok && has_path(arch, P_VDSO32)) {
		sb_printf(&b, "\n## The null system call through the 32-bit vDSO, per stage\n\n"
			  "From `call *` (the address of `__kernel_vsyscall`, AT_SYSINFO) in\n"
			  "user_syscall32's `lab_call_site_vdso()` to the instruction after it: the\n"
			  "vDSO's own instructions (32-bit user code, decoded as i386; symbols from the\n"
			  "kernel build's `vdso32.so.dbg`, placed where the call went), the CPU's\n"
			  "way in (`sysenter` on this CPU model: the kernel patched it into the vDSO\n"
			  "at boot), the compat entry and its return, and the vDSO again.\n\n");
		stage_table(&b, ok, nok, P_VDSO32);
	}
	if (nok) {
		sb_printf(&b, "\n");
		batch_section(&b, ok, nok);
		sb_printf(&b, "## The in-kernel call and the function call\n\n");
		for (int p = P_KERNEL; p <= P_FUNCTION; p++) {
			sb_printf(&b, "**%s**\n\n", arch->names[p]);
			stage_table(&b, ok, nok, p);
			sb_printf(&b, "\n");
		}
		if (have_chart)
			sb_printf(&b, "![stages](chart-stages.png)\n\n");
	}
	if (nok && ok[0]->syscall_bench_extra >= 0)
		sb_printf(&b, "## Against icount\n\n"
			  "icount counts the same paths inside a benchmark loop. For the system call\n"
			  "that includes what the benchmark's loop repeats besides the path, read from\n"
			  "its code (`batch_lab_null_svc()` in bench_user, less the empty loop's):\n"
			  "%d instructions (the call site `%s()` has %d set-up instructions before\n"
			  "`%s`: the number in x8, the four arguments zeroed), so icount should be\n"
			  "the traced total plus %d; for the in-kernel call and the function call,\n"
			  "exactly the traced total.\n",
			  ok[0]->syscall_bench_extra, arch->syscall_site, setup, arch->syscall_insn,
			  ok[0]->syscall_bench_extra);
	else
		sb_printf(&b, "## Against icount\n\n"
			  "icount counts the same paths inside a benchmark loop. For the system call\n"
			  "that includes the %d register set-up instructions the wrapper puts before\n"
			  "`%s` (the loop repeats them), so icount should be the traced total plus\n"
			  "%d; for the in-kernel call and the function call, exactly the traced total.\n",
			  setup, arch->syscall_insn, setup);
	if (nok && has_path(arch, P_SVC32) && ok[0]->svc32_bench_extra >= 0)
		sb_printf(&b, "For the AArch32 `svc` (icount's `lab_null_svc32`), what bench_user32's\n"
			  "loop repeats besides the path, read from its code (`batch_lab_null_svc32()`,\n"
			  "Thumb-2, less `batch_empty`'s loop): %d instructions, the number in r7 and\n"
			  "the four arguments (the call site `lab_call_site_svc32()` has %d set-up\n"
			  "instructions, a push and pop of r7 among them, which the loop keeps out).\n",
			  ok[0]->svc32_bench_extra, ok[0]->svc32_setup);
	/* one bench_batch for every setting: its loop is read once each */
	if (nok && ok[0]->bench_extra >= 0)
		sb_printf(&b, "For `lab_batch()` (icount's `batch_lab_batch` rows, per record: times\n"
			  "ops for a crossing), what the benchmark's own loop repeats, read from\n"
			  "its code (`batch_lab_batch()` in bench_batch): %d set-up instructions\n"
			  "before `%s`, not the call site's %d (the loop keeps the record\n"
			  "count in a register), and its loop control less the empty loop's\n"
			  "(which the benchmark subtracts), %+d: icount should be the traced total\n"
			  "plus %d.\n",
			  ok[0]->bench_setup, arch->syscall_insn, ok[0]->batch_setup[P_BATCH1],
			  ok[0]->bench_extra - ok[0]->bench_setup, ok[0]->bench_extra);
	else if (nok)
		sb_printf(&b, "For `lab_batch()` (icount's `batch_lab_batch` rows), the benchmark's\n"
			  "loop could not be read (%s): the call site's %d set-up instructions\n"
			  "are assumed.\n", ok[0]->bench_note, ok[0]->batch_setup[P_BATCH1]);
	if (arch->arch == ARCH_ARM64)
		sb_printf(&b, "Allowed difference: %d instructions, for loop code the compiler may\n"
			  "lay out differently.\n\n"
			  "```\n%s```\n", TOLERANCE, c->lines.s ? c->lines.s : "");
	else
		sb_printf(&b, "And icount counts one step more per run of a `rep`-prefixed string\n"
			  "instruction than single-stepping shows (`rep end` below): QEMU gives such\n"
			  "an instruction a last step, with the count at zero, under icount, but not\n"
			  "when it single-steps (its x86 translator's `repz_opt`). The lab_batch()\n"
			  "paths have one: the zeroing of the record's stack copy (`rep stos`).\n"
			  "The 32-bit vDSO path's benchmark (`lab_null_vdso32` in bench_user32) calls\n"
			  "`getauxval(AT_SYSINFO)` every time round its loop before `call *`: its\n"
			  "set-up is the loop's instructions as written (read from\n"
			  "`batch_lab_null_vdso32()`, less the empty loop's, as for `lab_batch()`;\n"
			  "the call to getauxval one of them) plus the instructions of the functions\n"
			  "it calls as they ran at the call site (`lab_call_site_vdso()`, the same\n"
			  "static glibc and the same auxiliary vector).\n"
			  "Allowed difference: %d instructions, for loop code the compiler may\n"
			  "lay out differently.\n\n"
			  "```\n%s```\n", TOLERANCE, c->lines.s ? c->lines.s : "");
	for (int j = 0; j < nok; j++) {
		sb_printf(&b, "\n## Per function, %s path, mitigations %s\n\n",
			  arch->names[P_SYSCALL], ok[j]->mit);
		symbol_table(&b, &ok[j]->p[P_SYSCALL]);
	}
	for (int j = 0; j < nok && has_path(arch, P_SVC32); j++) {
		sb_printf(&b, "\n## Per function, %s path (AArch32), mitigations %s\n\n",
			  arch->names[P_SVC32], ok[j]->mit);
		symbol_table(&b, &ok[j]->p[P_SVC32]);
	}
	for (int j = 0; j < nok && has_path(arch, P_VDSO32); j++) {
		sb_printf(&b, "\n## Per function, 32-bit vDSO path, mitigations %s\n\n", ok[j]->mit);
		symbol_table(&b, &ok[j]->p[P_VDSO32]);
	}
	sb_printf(&b, "\nFull listings (every instruction, address, symbol, stage): "
		  "`*/*.staged` beside this file.\n");
	write_file(path, b.s, b.len);
	sb_free(&b);
	free(path);
}

static void print_summary(struct setting *all, int nall, const struct checks *c,
			  const char *out, bool report)
{
	const struct trace_arch *arch = all[0].arch;
	for (int j = 0; j < nall; j++) {
		const struct setting *s = &all[j];
		struct names stages = { 0 };

		printf("mitigations %s:\n", s->mit);
		if (s->failure) {
			printf("  no trace: %s\n", s->failure);
			continue;
		}
		for (int o = 0; o < NPATHS; o++)
			if (has_path(arch, path_order[o]))
				printf("  %-9s %4zu instructions\n", arch->names[path_order[o]],
				       s->p[path_order[o]].n);
		for (size_t i = 0; i < s->p[P_SYSCALL].n; i++)
			names_add(&stages, s->p[P_SYSCALL].v[i].stage);
		for (size_t k = 0; k < stages.n; k++)
			printf("      %-32s %4zu\n", stages.v[k],
			       count_stage(&s->p[P_SYSCALL], stages.v[k]));
		free(stages.v);
		/* the second way in, staged: x86's 32-bit vDSO, arm64's AArch32 svc */
		for (int p = P_VDSO32; p <= P_SVC32; p++) {
			if (!has_path(arch, p))
				continue;
			stages = (struct names){ 0 };
			for (size_t i = 0; i < s->p[p].n; i++)
				names_add(&stages, s->p[p].v[i].stage);
			printf("    %s:\n", arch->names[p]);
			for (size_t k = 0; k < stages.n; k++)
				printf("      %-32s %4zu\n", stages.v[k],
				       count_stage(&s->p[p], stages.v[k]));
			free(stages.v);
		}
		for (int p = 0; p < NPATHS; p++)
			if (s->refills[p])
				printf("  %s: refilled get_random_u16()'s batch, skipped: %s; the next call traced\n",
				       arch->names[p], s->refills[p]);
		printf("  lab_batch: per record (batch4 - batch1) / %d = %g, once per crossing %g\n",
		       BATCH_MORE, per_record(s), (double)s->p[P_BATCH1].n - per_record(s));
	}
	printf("\n");
	for (const char *l = c->lines.s; l && *l;) {
		size_t n = strcspn(l, "\n");

		if (!strncmp(l, "ok ", 3) || !strncmp(l, "not ok ", 7))
			printf("%.*s\n", (int)n, l);
		l += n + (l[n] == '\n');
	}
	printf("\n");
	if (report)
		printf("report: %s/report.md (per stage, per function, chart); listings: %s/*/*.staged\n",
		       out, out);
	else
		printf("checks: %s/check.tap; listings: %s/*/*.staged\n", out, out);
	fflush(stdout);
}

static void free_setting(struct setting *s)
{
	for (int p = 0; p < NPATHS; p++) {
		for (size_t i = 0; i < s->p[p].n; i++) {
			free(s->p[p].v[i].pc);
			free(s->p[p].v[i].sym);
			free(s->p[p].v[i].text);
		}
		free(s->p[p].v);
	}
	free(s->dir);
	free(s->failure);
	free(s->icount_note);
	free(s->bench_note);
	free(s->syscall_bench_note);
	free(s->svc32_bench_note);
	for (int p = 0; p < NPATHS; p++)
		free(s->refills[p]);
	free(s->vdso_callee_names);
	free(s->vdso_note);
}

/* Dies unless every file the traced boots read is there. */
static void need_files(const struct args *a)
{
	const struct trace_arch *arch = a->arch;
	char *need[] = {
		xstrdup(a->kernel), xstrdup(a->initrd),
		xasprintf("%s/vmlinux", a->kobj),
		xasprintf("%s/user_syscall", a->guest),
		xasprintf("%s/user_functioncall", a->guest),
		/* the 32-bit vDSO path's (x86), the AArch32 svc's (arm64) */
		has_path(arch, P_VDSO32) || has_path(arch, P_SVC32) ?
			xasprintf("%s/user_syscall32", a->guest) : NULL,
		has_path(arch, P_VDSO32) ? xasprintf("%s/" VDSO32_DBG, a->kobj) : NULL,
	};

	for (size_t i = 0; i < sizeof(need) / sizeof(*need); i++) {
		if (need[i] && !file_exists(need[i]))
			die("no %s (build the lab first)", need[i]);
		free(need[i]);
	}
}

/* A run that stops half-way leaves no results of an older one behind that
 * could pass for its own (make test reads check.tap). */
static void remove_results(const char *out)
{
	static const char *const results[] = {
		"check.tap", "report.md", "chart-stages.dat", "chart-stages.png",
	};

	for (size_t i = 0; i < sizeof(results) / sizeof(*results); i++) {
		char *path = xasprintf("%s/%s", out, results[i]);

		if (unlink(path) && errno != ENOENT)
			die("cannot remove %s: %s", path, strerror(errno));
		free(path);
	}
}

/* Setting j's directory and setting.json; its boots; 0 if it was traced. */
static int one_setting(struct setting *s, const struct args *a, int j,
		       const char *out, const char *script)
{
	json_t *o;
	char *text, *sj;

	s->arch = a->arch;
	s->mit = a->mits[j];
	s->append = a->appends[j];
	s->dir = xasprintf("%s/%s", out, s->mit);
	if (rm_rf(s->dir) || mkdir_p(s->dir))
		die("cannot make %s: %s", s->dir, strerror(errno));
	o = json_pack("{s:s, s:s?}", "name", s->mit, "append", s->append);
	text = json_dumps(o, JSON_INDENT(1));
	sj = xasprintf("%s/setting.json", s->dir);
	write_file(sj, text, strlen(text));
	free(sj);
	free(text);
	json_decref(o);
	if (trace_setting(s, a, script))
		return -1;
	for (int p = 0; p < NPATHS; p++)
		stage_path(s->arch, &s->p[p], p);
	write_staged(s);
	icount_setting(s, a);
	return 0;
}

/* check.tap, the report and the chart, the summary; the checks failed. */
static unsigned int conclude(const struct args *a, struct setting *all,
			     struct setting **ok, int nok, const char *out)
{
	struct checks c = { 0 };
	char *doc, *path;
	bool have_chart = false;
	unsigned int failed;

	for (int j = 0; j < a->nmits; j++)
		checks_of(&c, &all[j]);
	doc = checks_ktap(&c);
	path = xasprintf("%s/check.tap", out);
	write_file(path, doc, strlen(doc));
	free(path);
	free(doc);
	if (!a->check_only) {
		if (nok)
			have_chart = chart(out, ok, nok);
		write_report(out, all, a->nmits, ok, nok, &c, have_chart);
	}
	print_summary(all, a->nmits, &c, out, !a->check_only);
	failed = c.failed;
	sb_free(&c.lines);
	return failed;
}

int trace_run(const struct trace_opts *t)
{
	struct args a;
	struct setting all[MAX_SETTINGS];
	struct setting *ok[MAX_SETTINGS];
	char *script, *out;
	int nok = 0;
	unsigned int failed;

	settings_of(t, &a);
	a.arch = &arches[0];
	for (size_t i = 0; i < sizeof(arches) / sizeof(*arches); i++)
		if (arches[i].arch == t->arch)
			a.arch = &arches[i];
	if (!proc_on_path(a.arch->gdb))
		die("%s not found (Debian package %s)", a.arch->gdb, a.arch->gdb);
	script = lab_file("trace/lab_trace.py");
	if (mkdir_p(a.out))
		die("cannot make %s: %s", a.out, strerror(errno));
	out = absolute(a.out);
	a.kobj = absolute(a.kobj);
	a.guest = absolute(a.guest);
	need_files(&a);
	lab_lock(out);
	boot_install_signals();
	remove_results(out);

	memset(all, 0, sizeof(all));
	for (int j = 0; j < a.nmits; j++)
		if (!one_setting(&all[j], &a, j, out, script))
			ok[nok++] = &all[j];
	failed = conclude(&a, all, ok, nok, out);

	for (int j = 0; j < a.nmits; j++) {
		free_setting(&all[j]);
		free(a.mits[j]);
		free(a.appends[j]);
	}
	free(script);
	free(out);
	free((char *)a.kobj);
	free((char *)a.guest);
	return failed ? 1 : 0;
}

int cmd_trace(int argc, char **argv)
{
	struct lab_opts o;
	struct trace_opts t = { 0 };

	lab_parse_or_exit(&lab_cmd_trace, argc, argv, &o, &t);
	t.arch = o.arch;
	t.kernel = o.kernel;
	t.kobj = o.kobj;
	t.initrd = o.initrd;
	t.guest = o.guest;
	t.out = o.out;
	t.timeout_s = o.timeout_s;
	t.check_only = o.check_only;
	return trace_run(&t);
}
