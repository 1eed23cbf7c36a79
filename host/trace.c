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
 * --report-only: no boots; each setting's trace.json and icount/ as an
 * earlier lab trace left them in DIR, staged and checked again: the
 * listings, check.tap, the report and the chart written anew (with
 * --check-only: listings and check.tap). A setting whose trace.json is
 * not there counts as not traced (why its boot failed is not kept).
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
#include "trace_model.h"
#include "trace_write.h"
#include "util.h"

/* QEMU makes its socket before it does anything else: a bound wait. */
#define SOCKET_WAIT_MS 30000
#define MAX_SETTINGS TRACE_SETTINGS_MAX
/* The 32-bit vDSO's symbols, in the kernel's object directory. */
#define VDSO32_DBG "arch/x86/entry/vdso/vdso32.so.dbg"

struct args {
	const struct trace_arch *arch;	/* the architecture traced */
	const char *kernel, *kobj, *initrd, *guest, *out;
	unsigned int timeout_s;
	bool check_only, report_only;
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
	a->report_only = t->report_only;
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
	if (trace_has_path(arch, P_VDSO32) || trace_has_path(arch, P_SVC32))
		json_object_set_new(c, "user_syscall32", json_string(us32));
	if (trace_has_path(arch, P_VDSO32))
		json_object_set_new(c, "vdso32", json_string(vdso));
	/* only read (its lab_batch() loop's set-up), never run; optional */
	if (file_exists(bb))
		json_object_set_new(c, "bench_batch", json_string(bb));
	/* the same for the vDSO (svc) loop of the 32-bit benchmark */
	if ((trace_has_path(arch, P_VDSO32) || trace_has_path(arch, P_SVC32)) && file_exists(bu32))
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

/* One traced boot's files, processes and what became of them. */
struct traced {
	char *config, *result, *log, *bootdir, *sockdir, *sock;
	pid_t boot, gdb;	/* gdb: -1 if it was never started */
	int bstatus, gstatus;
	bool boot_ended, gdb_ok;
};

/* The socket: in a private directory, short enough for sun_path. */
static void make_socket_dir(struct traced *t)
{
	const char *tmpdir = getenv("TMPDIR");

	if (!tmpdir || !*tmpdir || strlen(tmpdir) > 60)
		tmpdir = "/tmp";
	t->sockdir = xasprintf("%s/lab-trace.XXXXXX", tmpdir);
	if (!mkdtemp(t->sockdir))
		die("mkdtemp %s: %s", t->sockdir, strerror(errno));
	t->sock = xasprintf("%s/gdb.sock", t->sockdir);
}

static bool is_socket(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* QEMU starts stopped; gdb may connect once the socket is there. Waits
 * for it (bounded), noting if the boot ended first. */
static void wait_socket(struct traced *t)
{
	long long deadline = now_ms() + SOCKET_WAIT_MS;

	while (!is_socket(t->sock)) {
		if (waitpid(t->boot, &t->bstatus, WNOHANG) == t->boot) {
			t->boot_ended = true;
			break;
		}
		if (lab_interrupted || now_ms() >= deadline)
			break;
		sleep_ms(10);
	}
}

/* gdb, if the socket came, to its end; then the boot to its end. */
static void run_gdb(struct traced *t, const struct args *a, const char *script)
{
	if (!t->boot_ended && is_socket(t->sock)) {
		t->gdb = spawn_gdb(a->arch, t->config, script, t->log);
		t->gdb_ok = wait_until(t->gdb, now_ms() + a->timeout_s * 1000LL,
				       &t->gstatus, SIGKILL) == 0 &&
			    WIFEXITED(t->gstatus) && WEXITSTATUS(t->gstatus) == 0 &&
			    log_says_done(t->log) && file_exists(t->result);
	}
	if (!t->boot_ended) {
		/* After gdb detached the guest finishes its plan; if gdb
		 * failed, QEMU would wait stopped until the timeout: stop it. */
		if (!t->gdb_ok)
			kill(t->boot, SIGTERM);
		/* lab_boot keeps its own time limit; this is a backstop */
		wait_until(t->boot, now_ms() + (a->timeout_s + 30) * 1000LL,
			   &t->bstatus, SIGTERM);
	}
	unlink(t->sock);
	rmdir(t->sockdir);
	if (lab_interrupted)
		die("interrupted");
}

/* Why the traced boot gave no trace, or NULL with s loaded. */
static char *traced_why(const struct traced *t, struct trace_setting *s)
{
	char *why, *guest;

	if (t->gdb_ok) {
		why = boot_failure(t->bootdir, t->bstatus);
		return why ? why : trace_load(s, t->result);
	}
	if (t->gdb < 0) {
		why = t->boot_ended ? boot_failure(t->bootdir, t->bstatus) : NULL;
		return why ? why :
		       xasprintf("QEMU's gdbstub socket %s did not appear within %ds; see %s/qemu.log",
				 t->sock, SOCKET_WAIT_MS / 1000, t->bootdir);
	}
	guest = boot_failure(t->bootdir, t->bstatus);
	show_tail(t->log, 5);
	/* the guest's own failure, not the stop that followed gdb's */
	if (guest && strstr(guest, "(interrupted"))
		guest[0] = '\0';
	why = xasprintf("gdb did not finish the trace; log: %s%s%s", t->log,
			guest && *guest ? "; " : "", guest ? guest : "");
	free(guest);
	return why;
}

/* One traced boot of setting s. Returns 0, or sets s->failure. */
static int trace_boot(struct trace_setting *s, const struct args *a,
		      const char *script)
{
	struct traced t = {
		.config = xasprintf("%s/trace-config.json", s->dir),
		.result = xasprintf("%s/trace.json", s->dir),
		.log = xasprintf("%s/gdb.log", s->dir),
		.bootdir = xasprintf("%s/boot", s->dir),
		.gdb = -1,
	};
	/*
	 * norandmaps: user mappings at the same addresses every boot, so that
	 * the 32-bit vDSO (placed like an mmap) has the same addresses in two
	 * boots' listings (lab mitigations compares them by address).
	 */
	char *append = s->append ? xasprintf("%s norandmaps", s->append) : xstrdup("norandmaps");
	struct boot_opts b = {
		.kernel = a->kernel, .initrd = a->initrd, .plan = "trace",
		.out = t.bootdir, .mode = MODE_TCG, .timeout_s = a->timeout_s,
		.kobj = a->kobj, .arch = a->arch->arch,
		.append = append,
	};

	make_socket_dir(&t);
	b.gdb = t.sock;
	write_config(t.config, a, t.sock, t.result);
	say("tracing (mitigations %s): TCG guest, gdbstub on %s", s->mit, t.sock);
	t.boot = spawn_boot(&b);
	wait_socket(&t);
	run_gdb(&t, a, script);
	s->failure = traced_why(&t, s);
	if (s->failure)
		fprintf(stderr, "lab: trace (mitigations %s) failed: %s\n", s->mit, s->failure);
	free(t.sockdir);
	free(t.sock);
	free(t.config);
	free(t.result);
	free(t.log);
	free(t.bootdir);
	free(append);
	return s->failure ? -1 : 0;
}

/* ---- icount -------------------------------------------------------------- */

/* The icount run in dir (its name: name) read into s; a note if it cannot be. */
static void icount_of_dir(struct trace_setting *s, const char *dir, const char *name)
{
	char *err = NULL;
	struct run *run = run_load(dir, name, &err);

	if (!run) {
		free(s->icount_note);
		s->icount_note = err;
		return;
	}
	trace_icount_of_run(s, run);
	run_free(run);
}

static void icount_setting(struct trace_setting *s, const struct args *a)
{
	const struct trace_arch *arch = a->arch;
	char *dir = xasprintf("%s/icount", s->dir);
	char *name = xasprintf("icount-%s", s->mit);
	struct boot_opts b = {
		.kernel = a->kernel, .initrd = a->initrd, .plan = "bench-quick",
		.out = dir, .mode = MODE_ICOUNT, .timeout_s = a->timeout_s,
		.kobj = a->kobj, .arch = arch->arch,
		.append = s->append,
	};
	struct boot_result r;

	say("icount boot (mitigations %s), to compare", s->mit);
	lab_boot(&b, &r);
	if (lab_interrupted)
		die("interrupted");
	if (r.outcome != OUTCOME_OK)
		s->icount_note = xasprintf("the icount boot: %s (%s/console.log)",
					   r.reason, dir);
	icount_of_dir(s, dir, name);
	free(dir);
	free(name);
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
		trace_has_path(arch, P_VDSO32) || trace_has_path(arch, P_SVC32) ?
			xasprintf("%s/user_syscall32", a->guest) : NULL,
		trace_has_path(arch, P_VDSO32) ? xasprintf("%s/" VDSO32_DBG, a->kobj) : NULL,
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
static int one_setting(struct trace_setting *s, const struct args *a, int j,
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
	if (trace_boot(s, a, script))
		return -1;
	trace_stage(s);
	trace_write_staged(s);
	icount_setting(s, a);
	return 0;
}

/*
 * --report-only: setting j from what its directory holds (trace.json,
 * icount/), no boot; its listings staged again. 0 if it was traced.
 */
static int stored_setting(struct trace_setting *s, const struct args *a, int j,
			  const char *out)
{
	char *path, *icount, *name;

	s->arch = a->arch;
	s->mit = a->mits[j];
	s->append = a->appends[j];
	s->dir = xasprintf("%s/%s", out, s->mit);
	path = xasprintf("%s/trace.json", s->dir);
	s->failure = file_exists(path) ? trace_load(s, path)
				       : xasprintf("no %s (not traced, or the trace failed)", path);
	free(path);
	if (s->failure)
		return -1;
	trace_stage(s);
	trace_write_staged(s);
	icount = xasprintf("%s/icount", s->dir);
	name = xasprintf("icount-%s", s->mit);
	icount_of_dir(s, icount, name);
	free(icount);
	free(name);
	return 0;
}

/* check.tap, the report and the chart, the summary; the checks failed. */
static unsigned int conclude(const struct args *a, struct trace_setting *all,
			     struct trace_setting **ok, int nok, const char *out)
{
	struct checks c = { 0 };
	char *doc, *path;
	bool have_chart = false;
	unsigned int failed;

	for (int j = 0; j < a->nmits; j++)
		trace_checks(&c, &all[j]);
	doc = checks_ktap(&c);
	path = xasprintf("%s/check.tap", out);
	write_file(path, doc, strlen(doc));
	free(path);
	free(doc);
	if (!a->check_only) {
		if (nok)
			have_chart = trace_chart(out, ok, nok);
		trace_write_report(out, all, a->nmits, ok, nok, &c, have_chart);
	}
	trace_print_summary(all, a->nmits, &c, out, !a->check_only);
	failed = c.failed;
	sb_free(&c.lines);
	return failed;
}

int trace_run(const struct trace_opts *t)
{
	struct args a;
	struct trace_setting all[MAX_SETTINGS];
	struct trace_setting *ok[MAX_SETTINGS];
	char *script = NULL, *out;
	int nok = 0;
	unsigned int failed;

	settings_of(t, &a);
	a.arch = trace_arch_of(t->arch);
	if (!a.report_only) {
		if (!proc_on_path(a.arch->gdb))
			die("%s not found (Debian package %s)", a.arch->gdb, a.arch->gdb);
		script = lab_file("trace/lab_trace.py");
		if (mkdir_p(a.out))
			die("cannot make %s: %s", a.out, strerror(errno));
	}
	out = absolute(a.out);
	if (!a.report_only) {
		a.kobj = absolute(a.kobj);
		a.guest = absolute(a.guest);
		need_files(&a);
	}
	lab_lock(out);
	boot_install_signals();
	remove_results(out);

	memset(all, 0, sizeof(all));
	for (int j = 0; j < a.nmits; j++)
		if (!(a.report_only ? stored_setting(&all[j], &a, j, out)
				    : one_setting(&all[j], &a, j, out, script)))
			ok[nok++] = &all[j];
	failed = conclude(&a, all, ok, nok, out);

	for (int j = 0; j < a.nmits; j++) {
		trace_setting_free(&all[j]);
		free(a.mits[j]);
		free(a.appends[j]);
	}
	free(script);
	free(out);
	if (!a.report_only) {
		free((char *)a.kobj);
		free((char *)a.guest);
	}
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

