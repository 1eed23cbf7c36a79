/* boot.c: see boot.h. */
#define _GNU_SOURCE
#include "boot.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lab_ports.h"
#include "lab_trouble.h"
#include "meta.h"
#include "progress.h"
#include "status.h"
#include "util.h"

#define QEMU "qemu-system-x86_64"
/* An Intel CPU model that the kernel treats as affected by Meltdown and
 * Spectre, so that its mitigations are on under TCG as on such hardware. */
#define TCG_CPU "Haswell-noTSX"
#define QEMU_ARM64 "qemu-system-aarch64"
#define ARM64_CPU "cortex-a72"
/* The CPU model kvm mode asks for: the host's own, so that the guest
 * kernel picks its mitigations for the real CPU and the times are its. */
#define KVM_CPU "host"
/*
 * The KVM probe boots the lab kernel with an empty plan: its boot-time
 * KUnit suite and nothing else. Under KVM on hardware that takes about a
 * second; under KVM nested in QEMU's TCG (make test-kvm) several seconds
 * more, and the host may be busy. The limit is for a KVM that hangs, not a
 * race: it must not turn a slow nested boot into a fallback to TCG.
 */
#define KVM_PROBE_TIMEOUT_S 90
/* After a trouble line, how long the rest of the report may take to come. */
#define TROUBLE_GRACE_MS 1000

volatile int lab_interrupted;

static void on_signal(int sig)
{
	lab_interrupted = sig;
}

void boot_install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static const char *const mode_names[] = {
	[MODE_AUTO] = "auto", [MODE_TCG] = "tcg", [MODE_KVM] = "kvm",
	[MODE_ICOUNT] = "icount", [MODE_HOST] = "host",
};

const char *mode_name(enum lab_mode m)
{
	return mode_names[m];
}

int mode_parse(const char *name)
{
	for (int i = 0; i < MODE_HOST; i++)
		if (strcmp(name, mode_names[i]) == 0)
			return i;
	return -1;
}

const char *host_mode_label(enum lab_mode m)
{
	struct meta_virt v;

	if (m != MODE_KVM)
		return mode_name(m);
	meta_host_virt(&v);
	return v.virtualised ? MODE_LABEL_KVM_NESTED : mode_name(m);
}

const char *outcome_name(enum lab_outcome o)
{
	static const char *const names[] = {
		"ok", "failed", "timeout", "kernel-trouble", "no-status",
		"interrupted", "error", "lost-output",
	};
	return names[o];
}

static const char *const arch_names[] = {
	[ARCH_X86_64] = "x86_64", [ARCH_ARM64] = "arm64",
};

const char *arch_name(enum lab_arch a)
{
	return arch_names[a];
}

int arch_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(arch_names) / sizeof(*arch_names); i++)
		if (!strcmp(name, arch_names[i]))
			return (int)i;
	return -1;
}

/*
 * Whether KVM can run a guest of arch here: only on a host of the same
 * architecture, the one this tool was built for (an arm64 lab tool runs
 * in make test-kvm's arm64 L1).
 */
static bool arch_native(enum lab_arch a)
{
#if defined(__aarch64__)
	return a == ARCH_ARM64;
#elif defined(__x86_64__)
	return a == ARCH_X86_64;
#else
	(void)a;
	return false;
#endif
}

#if defined(__aarch64__)
#define HOST_ARCH_NAME "arm64"
#elif defined(__x86_64__)
#define HOST_ARCH_NAME "x86_64"
#else
#define HOST_ARCH_NAME "non-x86_64, non-arm64"
#endif

const char *arch_mode_refusal(enum lab_arch a, enum lab_mode m)
{
	if (m != MODE_KVM || arch_native(a))
		return NULL;
	if (a == ARCH_ARM64)
		return "mode kvm cannot boot an arm64 guest on this " HOST_ARCH_NAME " host (arm64 runs under TCG: use --mode tcg, icount or auto)";
	return "mode kvm cannot boot an x86_64 guest on this " HOST_ARCH_NAME " host (x86_64 runs under TCG: use --mode tcg, icount or auto)";
}

/* A path as a -chardev option's value: QEMU's options double a comma. */
char *qemu_opt_escape(const char *path)
{
	struct strbuf b = { 0 };

	for (const char *p = path; *p; p++) {
		if (*p == ',')
			sb_add(&b, ",,", 2);
		else
			sb_add(&b, p, 1);
	}
	return b.s ? b.s : xstrdup("");
}

/* The QEMU command line (NULL-terminated, malloc'd strings). */
/* QEMU's command line, built a word at a time (at most QARGS_MAX). */
#define QARGS_MAX 64
struct qargs {
	char **v;
	int n;
};

__attribute__((format(printf, 2, 3)))
static void qa(struct qargs *q, const char *fmt, ...)
{
	va_list ap;

	if (q->n >= QARGS_MAX - 1)
		die("QEMU's command line has more than %d words", QARGS_MAX - 1);
	va_start(ap, fmt);
	q->v[q->n++] = xvasprintf(fmt, ap);
	va_end(ap);
}

/* A virtio-serial port whose output goes to DIR/its file. */
static void qa_port(struct qargs *q, const char *dir, const struct port_file *p)
{
	char *path = xasprintf("%s/%s", dir, p->file);
	char *esc = qemu_opt_escape(path);

	qa(q, "-chardev"); qa(q, "file,id=%s,path=%s", p->id, esc);
	qa(q, "-device"); qa(q, "virtserialport,chardev=%s,name=%s", p->id, p->port);
	free(esc);
	free(path);
}

/* The kernel, its command line and the console, on both architectures. */
static void qa_kernel(struct qargs *q, const struct boot_opts *o, const char *cmdline)
{
	qa(q, "-kernel"); qa(q, "%s", o->kernel);
	qa(q, "-initrd"); qa(q, "%s", o->initrd);
	qa(q, "-append"); qa(q, "%s", cmdline);
	qa(q, "-chardev"); qa(q, "stdio,id=console,signal=off");
	qa(q, "-serial"); qa(q, "chardev:console");
}

static void qa_machine(struct qargs *q, const struct boot_opts *o)
{
	qa(q, "-m"); qa(q, "512"); qa(q, "-smp"); qa(q, "%u", o->smp ? o->smp : 1);
	qa(q, "-nodefaults"); qa(q, "-display"); qa(q, "none"); qa(q, "-no-reboot");
}

/* arm64: the virt machine; the result ports and the status on virtio-serial. */
static void qa_arm64(struct qargs *q, const struct boot_opts *o, enum lab_mode mode,
		     const char *dir, const char *cmdline)
{
	qa(q, QEMU_ARM64);
	qa(q, "-M"); qa(q, "virt"); qa(q, "-cpu"); qa(q, mode == MODE_KVM ? KVM_CPU : ARM64_CPU);
	qa_machine(q, o);
	/* kvm only on an arm64 host (arch_mode_refusal): make test-kvm's arm64
	 * L1; otherwise one thread for all vCPUs, as on x86_64, and as icount
	 * needs */
	qa(q, "-accel"); qa(q, mode == MODE_KVM ? "kvm" : "tcg,thread=single");
	if (mode == MODE_ICOUNT) {
		qa(q, "-icount"); qa(q, "shift=0,sleep=off");
	}
	qa_kernel(q, o, cmdline);
	qa(q, "-device"); qa(q, "virtio-serial-device");
	for (size_t i = 0; i < ARM64_NPORTS; i++)
		qa_port(q, dir, &arm64_ports[i]);
}

/*
 * x86_64: the pc machine; the result ports on ttyS1-3, the status line
 * (status.h) on a virtio-serial port as on arm64.
 */
static void qa_x86(struct qargs *q, const struct boot_opts *o, enum lab_mode mode,
		   const char *dir, const char *cmdline)
{
	qa(q, QEMU);
	qa(q, "-M"); qa(q, "pc");
	qa_machine(q, o);
	switch (mode) {
	case MODE_KVM:
		qa(q, "-accel"); qa(q, "kvm"); qa(q, "-cpu"); qa(q, KVM_CPU);
		break;
	case MODE_ICOUNT:
		/* One thread for all vCPUs: icount needs it, even with -smp N. */
		qa(q, "-accel"); qa(q, "tcg,thread=single");
		qa(q, "-icount"); qa(q, "shift=0,sleep=off");
		qa(q, "-cpu"); qa(q, TCG_CPU);
		break;
	default:
		/*
		 * One thread for all vCPUs here too: with a thread each (MTTCG)
		 * a boot with two vCPUs on a loaded host once died at an int3
		 * that text_poke_bp() had already taken out again (the other
		 * vCPU ran the stale code). The vCPUs still interleave and
		 * contend; they only do not run on two host CPUs at once.
		 */
		qa(q, "-accel"); qa(q, "tcg,thread=single"); qa(q, "-cpu"); qa(q, TCG_CPU);
		break;
	}
	qa_kernel(q, o, cmdline);
	qa(q, "-serial"); qa(q, "file:%s/" LAB_FILE_KTAP, dir);
	qa(q, "-serial"); qa(q, "file:%s/" LAB_FILE_ROWS, dir);
	qa(q, "-serial"); qa(q, "file:%s/" LAB_FILE_FACTS, dir);
	qa(q, "-device"); qa(q, "virtio-serial-pci");
	qa_port(q, dir, &arm64_ports[ARM64_NPORTS - 1]);
}

static char **qemu_argv(const struct boot_opts *o, enum lab_mode mode,
			const char *plan, const char *dir, char **cmdline)
{
	struct qargs q = { .v = xcalloc(QARGS_MAX, sizeof(char *)) };
	bool arm64 = o->arch == ARCH_ARM64;

	/*
	 * x86: no_timer_check, as virtual machines boot: the IO-APIC timer
	 * check counts ticks against a busy loop, which under TCG on a busy
	 * host can see too few and panic ("IO-APIC + timer doesn't work!").
	 */
	*cmdline = xasprintf("console=%s panic=-1 nokaslr lab.plan=%s lab.mode=%s%s%s",
			     arm64 ? "ttyAMA0" : "ttyS0 no_timer_check", plan, mode_name(mode),
			     o->append ? " " : "", o->append ? o->append : "");
	if (arm64)
		qa_arm64(&q, o, mode, dir, *cmdline);
	else
		qa_x86(&q, o, mode, dir, *cmdline);
	if (o->gdb) {
		qa(&q, "-S");
		qa(&q, "-gdb"); qa(&q, "unix:%s,server=on,wait=off", o->gdb);
	}
	return q.v;
}

static void free_argv(char **v)
{
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

/* The last non-empty line of a file, for a reason line. */
static void last_line(const char *path, char *buf, size_t size)
{
	char *text = read_file(path, NULL);
	char *end, *start;

	buf[0] = '\0';
	if (!text)
		return;
	end = text + strlen(text);
	while (end > text && (end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	start = strrchr(text, '\n');
	snprintf(buf, size, "%s", start ? start + 1 : text);
	free(text);
}

struct console {
	FILE *log;
	char line[4096];
	size_t len;
	char trouble[400];	/* the first trouble line */
};

static void console_line_end(struct console *c)
{
	c->line[c->len] = '\0';
	if (c->len && c->line[c->len - 1] == '\r')
		c->line[--c->len] = '\0';
	if (!c->trouble[0] && lab_trouble(c->line))
		snprintf(c->trouble, sizeof(c->trouble), "%.399s", c->line);
	c->len = 0;
}

static void console_feed(struct console *c, const char *buf, size_t n)
{
	fwrite(buf, 1, n, c->log);
	fflush(c->log);
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n')
			console_line_end(c);
		else if (c->len < sizeof(c->line) - 1)
			c->line[c->len++] = buf[i];
	}
}

/* QEMU ended without the guest's status: why, with QEMU's last word. */
static void qemu_without_status(struct boot_result *r, const char *qemu_log, int code,
				const char *what)
{
	char last[300];

	last_line(qemu_log, last, sizeof(last));
	r->outcome = code == 127 ? OUTCOME_ERROR : OUTCOME_NO_STATUS;
	snprintf(r->reason, sizeof(r->reason), "QEMU exited with %d %s%s%s", code, what,
		 last[0] ? ": " : "", last);
}

/*
 * QEMU as a child in its own process group, killed with the tool (its
 * stdout into pipefd[1], its stderr into qemu_log).
 */
static pid_t qemu_spawn(char *const *argv, const char *qemu_log, int pipefd[2])
{
	pid_t parent = getpid(), pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		int log = open(qemu_log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		dup2(null, STDIN_FILENO);
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(log, STDERR_FILENO);
		execvp(argv[0], argv);
		dprintf(STDERR_FILENO, "cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	close(pipefd[1]);
	return pid;
}

/* A supervised QEMU's limits (its deadline, the grace after trouble) and
 * its progress on a terminal. */
struct watch {
	long long deadline, kill_at;
	unsigned int timeout_s;
	const char *what;
	struct progress progress;
};

/* Whether QEMU must be stopped now; if so, r says why. */
static bool qemu_must_stop(struct watch *w, const struct console *c, struct boot_result *r)
{
	long long now = now_ms();

	if (lab_interrupted) {
		r->outcome = OUTCOME_INTERRUPTED;
		snprintf(r->reason, sizeof(r->reason),
			 "interrupted by signal %d", lab_interrupted);
		return true;
	}
	if (now >= w->deadline) {
		r->outcome = OUTCOME_TIMEOUT;
		snprintf(r->reason, sizeof(r->reason),
			 "the guest hung: no end after %us (%s)", w->timeout_s, w->what);
		return true;
	}
	if (c->trouble[0] && w->kill_at < 0) {
		w->kill_at = now + TROUBLE_GRACE_MS;
	} else if (w->kill_at >= 0 && now >= w->kill_at) {
		r->outcome = OUTCOME_TROUBLE;
		snprintf(r->reason, sizeof(r->reason),
			 "the guest kernel failed: %s", c->trouble);
		return true;
	}
	return false;
}

/* The console fed to c until QEMU closes it (0) or must be stopped (-1). */
static int qemu_watch(pid_t pid, int fd, struct watch *w, struct console *c,
		      struct boot_result *r)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char buf[4096];
		ssize_t n;

		if (qemu_must_stop(w, c, r)) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			return -1;
		}
		progress_tick(&w->progress);
		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		console_feed(c, buf, (size_t)n);
	}
}

int qemu_supervised(char *const *argv, const char *dir, unsigned int timeout_s,
		    const char *what, struct boot_result *r)
{
	char *console_path = xasprintf("%s/console.log", dir);
	char *qemu_log = xasprintf("%s/qemu.log", dir);
	char *ktap_path = xasprintf("%s/" LAB_FILE_KTAP, dir);
	char *label = xasprintf("the boot (%s)", what);
	struct watch w = { .deadline = now_ms() + timeout_s * 1000LL, .kill_at = -1,
			   .timeout_s = timeout_s, .what = what };
	struct console c = { 0 };
	int pipefd[2], status = 0, killed = 0, code = -1;
	pid_t pid;

	r->guest_status = -1;
	r->reason[0] = '\0';
	c.log = fopen(console_path, "w");
	if (!c.log || pipe2(pipefd, O_CLOEXEC)) {
		r->outcome = OUTCOME_ERROR;
		snprintf(r->reason, sizeof(r->reason), "cannot write %s: %s",
			 console_path, strerror(errno));
		if (c.log)
			fclose(c.log);
		goto out;
	}
	pid = qemu_spawn(argv, qemu_log, pipefd);
	progress_start(&w.progress, ktap_path, label);
	killed = qemu_watch(pid, pipefd[0], &w, &c, r) < 0;
	progress_end(&w.progress);
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (c.len)
		console_line_end(&c);
	fclose(c.log);
	if (!killed) {
		code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		if (c.trouble[0]) {
			r->outcome = OUTCOME_TROUBLE;
			snprintf(r->reason, sizeof(r->reason),
				 "the guest kernel failed: %s", c.trouble);
			code = -1;
		} else if (code) {
			qemu_without_status(r, qemu_log, code,
					    "(a guest's power-off or reboot exits 0): no status from the guest");
		}
	}
out:
	free(console_path);
	free(qemu_log);
	free(ktap_path);
	free(label);
	return killed ? -1 : code;
}

/* Runs QEMU once in dir; fills r (not r->mode). */
static void run_qemu(const struct boot_opts *o, enum lab_mode mode,
		     const char *plan, const char *dir, unsigned int timeout_s,
		     struct boot_result *r, json_t *meta)
{
	char *cmdline, **argv = qemu_argv(o, mode, plan, dir, &cmdline);
	char *what = xasprintf("mode %s", mode_name(mode));
	long long start = now_ms();
	json_t *jargv = json_array();

	for (char **p = argv; *p; p++)
		json_array_append_new(jargv, json_string(*p));
	json_object_set_new(meta, "qemu_argv", jargv);
	json_object_set_new(meta, "cmdline", json_string(cmdline));
	/* a power-off or a reboot (with -no-reboot): the status is the
	 * guest's line, or there is none */
	if (qemu_supervised(argv, dir, timeout_s, what, r) == 0)
		status_line_read(dir, r);
	json_object_set_new(meta, "seconds",
			    json_real((double)(now_ms() - start) / 1000));
	free_argv(argv);
	free(cmdline);
	free(what);
}

/* path's identity for the probe's cache: "path size mtime", or "path -". */
static void probe_key_file(struct strbuf *b, const char *path)
{
	struct stat st;

	if (path && stat(path, &st) == 0)
		sb_printf(b, "%s %lld %lld.%09ld; ", path, (long long)st.st_size,
			  (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	else
		sb_printf(b, "%s -; ", path ? path : "(none)");
}

/*
 * What the probe's answer depends on: the kernel and the initramfs it
 * booted, the QEMU that booted it (the first in PATH) and the CPU model
 * asked for. A cached answer is used only for the same key: a rebuilt
 * initramfs or an upgraded QEMU is probed again.
 */
static char *probe_key(const struct boot_opts *o)
{
	struct strbuf b = { 0 };
	const char *path = getenv("PATH");
	const char *qemu_name = o->arch == ARCH_ARM64 ? QEMU_ARM64 : QEMU;
	char *qemu = NULL;

	for (const char *p = path ? path : ""; *p && !qemu;) {
		size_t n = strcspn(p, ":");
		char *cand = xasprintf("%.*s/%s", (int)n, p, qemu_name);

		if (access(cand, X_OK) == 0)
			qemu = cand;
		else
			free(cand);
		p += n + (p[n] == ':');
	}
	probe_key_file(&b, o->kernel);
	probe_key_file(&b, o->initrd);
	probe_key_file(&b, qemu ? qemu : qemu_name);
	sb_printf(&b, "-cpu %s", KVM_CPU);
	free(qemu);
	return b.s;
}

/*
 * auto: KVM where a short probe boot works, TCG otherwise. The answer is
 * kept in o->probe_cache as two lines, the answer and its key (probe_key);
 * an interrupted probe is no answer and is not kept.
 */
static enum lab_mode resolve_auto(const struct boot_opts *o, json_t *meta)
{
	struct boot_result pr;
	char *probe_dir, *key, *cached, answer[16] = "";
	json_t *pm;

	if (arch_mode_refusal(o->arch, MODE_KVM)) {
		json_object_set_new(meta, "kvm_probe",
				    json_sprintf("not probed: an %s guest on this %s host runs under TCG only",
						 arch_name(o->arch), HOST_ARCH_NAME));
		return MODE_TCG;
	}
	if (file_exists("/sys/module/kvm_pvm")) {
		json_object_set_new(meta, "kvm_probe",
				    json_string("skipped: the host's hypervisor is PVM (/sys/module/kvm_pvm), under which guest kernels cannot run with KVM"));
		return MODE_TCG;
	}
	if (access("/dev/kvm", R_OK | W_OK)) {
		json_object_set_new(meta, "kvm_probe", json_string("no usable /dev/kvm"));
		return MODE_TCG;
	}
	key = probe_key(o);
	cached = o->probe_cache ? read_file(o->probe_cache, NULL) : NULL;
	if (cached) {
		char *nl = strchr(cached, '\n');
		bool hit = nl && (!strncmp(cached, "kvm\n", 4) || !strncmp(cached, "tcg\n", 4)) &&
			   !strcmp(nl + 1, key);
		enum lab_mode m = !strncmp(cached, "kvm\n", 4) ? MODE_KVM : MODE_TCG;

		if (hit) {
			*nl = '\0';
			json_object_set_new(meta, "kvm_probe",
					    json_sprintf("cached: %s (%s)", cached, o->probe_cache));
		}
		free(cached);
		if (hit) {
			free(key);
			return m;
		}
	}
	probe_dir = xasprintf("%s/kvm-probe", o->out);
	mkdir_p(probe_dir);
	pm = json_object();
	run_qemu(o, MODE_KVM, "probe", probe_dir, KVM_PROBE_TIMEOUT_S, &pr, pm);
	json_object_set(meta, "kvm_probe_seconds", json_object_get(pm, "seconds"));
	json_decref(pm);
	free(probe_dir);
	snprintf(answer, sizeof(answer), "%s",
		 pr.outcome == OUTCOME_OK ? "kvm" : "tcg");
	if (o->probe_cache && pr.outcome != OUTCOME_INTERRUPTED) {
		char *text = xasprintf("%s\n%s", answer, key);

		write_file(o->probe_cache, text, strlen(text));
		free(text);
	}
	free(key);
	if (pr.outcome != OUTCOME_OK)
		say("KVM probe failed (%s): using TCG", pr.reason);
	json_object_set_new(meta, "kvm_probe",
			    json_sprintf("%s: %s", answer,
					 pr.outcome == OUTCOME_OK ? "the probe boot worked" : pr.reason));
	return pr.outcome == OUTCOME_OK ? MODE_KVM : MODE_TCG;
}

int lab_boot(const struct boot_opts *o, struct boot_result *r)
{
	json_t *meta;
	char *path;

	if (!o->kernel || !file_exists(o->kernel))
		die("no kernel image %s", o->kernel ? o->kernel : "(none given)");
	if (!o->initrd || !file_exists(o->initrd))
		die("no initramfs %s", o->initrd ? o->initrd : "(none given)");
	if (!o->out || !o->plan)
		die("boot: no run directory or plan");
	if (o->smp > LAB_SMP_MAX)
		die("boot: %u vCPUs asked for; at most %d", o->smp, LAB_SMP_MAX);
	if (o->arch == ARCH_ARM64 && o->smp > LAB_SMP_MAX_ARM64)
		die("boot: %u vCPUs asked for; arm64's virt machine (GICv2) takes at most %d",
		    o->smp, LAB_SMP_MAX_ARM64);
	if (arch_mode_refusal(o->arch, o->mode))
		die("%s", arch_mode_refusal(o->arch, o->mode));
	if (rm_rf(o->out) || mkdir_p(o->out))
		die("cannot make the run directory %s: %s", o->out, strerror(errno));
	meta = meta_new_run(o->plan, o->append);
	meta_set_arch(meta, arch_name(o->arch),
		      o->arch == ARCH_ARM64 ? QEMU_ARM64 : QEMU);
	json_object_set_new(meta, "mode_requested", json_string(mode_name(o->mode)));
	json_object_set_new(meta, "timeout_s", json_integer(o->timeout_s));
	json_object_set_new(meta, "smp", json_integer(o->smp ? o->smp : 1));
	json_object_set_new(meta, "kernel_image", json_string(o->kernel));
	if (o->kobj)
		meta_set_kernel(meta, o->kobj);
	r->mode = o->mode == MODE_AUTO ? resolve_auto(o, meta) : o->mode;
	json_object_set_new(meta, "mode", json_string(mode_name(r->mode)));
	/* What every time from this run is labelled with (run_mode()): KVM on
	 * a host that is itself a virtual machine is nested, never hardware. */
	json_object_set_new(meta, "mode_label", json_string(host_mode_label(r->mode)));
	if (r->mode == MODE_KVM)
		meta_set_kvm(meta);
	run_qemu(o, r->mode, o->plan, o->out, o->timeout_s, r, meta);
	meta_set_outcome(meta, outcome_name(r->outcome), r->guest_status, r->reason);
	path = xasprintf("%s/meta.json", o->out);
	meta_write(meta, path);
	free(path);
	json_decref(meta);
	return r->outcome == OUTCOME_OK || r->outcome == OUTCOME_FAILED ? 0 : -1;
}
