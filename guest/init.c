/*
 * The lab guest's PID 1: a static program, so the initramfs needs nothing
 * else. It mounts /proc, /sys and /dev, then runs the plan named by
 * lab.plan= on the kernel command line (/lab/plans/NAME), one step a line:
 *
 *   NAME  info                 facts: kernel release, command line, CPU,
 *                              /sys/devices/system/cpu/vulnerabilities/
 *   NAME  insmod FILE.ko [PARAM=VALUE...]
 *                              load a module; what it logs is its output
 *   NAME  exec PROGRAM ARGS... run a program; stdout and stderr its output
 *   NAME  rows PROGRAM ARGS... run a benchmark: stdout is benchmark rows,
 *                              stderr its output
 *   NAME  rows-file FILE       copy benchmark rows from a file (a module's)
 *   NAME  facts-file FILE      copy JSON facts from a file (a module's) to the
 *                              facts port
 *
 * A step may name the architectures it belongs to, right after its name:
 *
 *   NAME  only=x86_64[,arm64] KIND ARGS...
 *
 * On any other architecture it does not run and is reported as skipped,
 * with the reason ("ok N NAME # SKIP only on x86_64: this guest is arm64"):
 * a skip is always said, never a silent gap, and a step without only= whose
 * program is missing still fails. An unknown architecture in only= is an
 * error of the plan.
 *
 * Every stream has a port of its own, so no program's output can break
 * another's framing. On x86_64, serial ports:
 *
 *   ttyS0  the console (the kernel's)
 *   ttyS1  results: KTAP. The plan ("1..N", N = the plan's steps + the final
 *          kernel-log check) comes first; each step's output follows,
 *          after its "# Subtest: NAME" header, indented four spaces (a KTAP subtest when the step speaks KTAP,
 *          as the kselftest harness and kernel_syscall.ko do), then the
 *          step's own "ok N NAME" / "not ok N NAME" with "# " lines saying
 *          why. A line a program left unterminated is terminated here.
 *   ttyS2  benchmark rows (JSON lines, include/lab/lab_row.h), the benchmarks'
 *          standard output, passed on by PID 1
 *   ttyS3  facts (one JSON object a line) from "info" steps
 *
 * On arm64 (QEMU's virt machine: one PL011, the console, ttyAMA0) the
 * streams are virtio-serial ports found by name
 * (/sys/class/virtio-ports/vportNpM/name -> /dev/vportNpM): lab.ktap,
 * lab.rows and lab.facts.
 *
 * On both, the guest's status (0: every step passed) is one JSON line on a
 * virtio-serial port of its own, lab.status, written last,
 *
 *   {"status":0,"bytes":{"ktap":N,"rows":N,"facts":N}}
 *
 * A program's benchmark rows pass through PID 1 (a pipe), so PID 1 knows
 * every byte it sent on each stream. Then PID 1 ends the machine (x86_64:
 * a reboot, which QEMU's -no-reboot turns into its exit; arm64: PSCI
 * SYSTEM_OFF): QEMU exits 0 whatever happened. The host counts a boot
 * without that line, with a malformed one, or whose files hold other byte
 * counts than the guest sent, as a failure. (x86_64 once used
 * isa-debug-exit: QEMU's own failure, exit 1, read as "status 0"; and
 * under KVM nested in QEMU's TCG the outb from user space took a #GP,
 * most likely because TCG's I/O-bitmap check wants an available TSS and
 * the TSS KVM loads for its guest is marked busy.) Each step has a time limit
 * (lab.step_timeout=SECONDS, default 600): a step that exceeds it is killed
 * and fails. lab.mode=MODE reaches the programs as LAB_MODE. Each of the
 * three, and lab.plan=NAME, is refused (KTAP "not ok 1" naming it, status
 * 1) if given twice or not as the host's options would take it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "lab_ports.h"
#include "lab_trouble.h"

#if defined(__x86_64__)
#define LAB_ARCH "x86_64"
/* The streams on serial ports ttyS1-3. */
#define LAB_SERIAL_STREAMS 1
/* Ends the machine: QEMU runs with -no-reboot. */
#define LAB_END RB_AUTOBOOT
#elif defined(__aarch64__)
#define LAB_ARCH "arm64"
/* PSCI SYSTEM_OFF */
#define LAB_END RB_POWER_OFF
#else
#error "the lab's PID 1 knows x86_64 and arm64"
#endif
/* How long the virtio-serial ports may take to appear (the driver adds
 * them as the host's control messages arrive, possibly after PID 1 has
 * started). */
#define PORT_WAIT_MS 30000

/* The architectures a plan's only= may name. */
static const char *const known_arches[] = { "x86_64", "arm64" };

#define MAX_ARGS 32
#define MAX_STEPS 64

static int ktap = -1, rows = -1, facts = -1, status_port = -1;
/* What PID 1 has written to each port (the status line reports them). */
static unsigned long long sent_ktap, sent_rows, sent_facts;
static unsigned int step_timeout_s = 600;
#define MAX_STEP_TIMEOUT_S 86400u

/* 0, *s set: v is a whole number of seconds from 1 to MAX_STEP_TIMEOUT_S
 * (no sign, no space, nothing after it); -1 otherwise. */
static int parse_seconds(const char *v, unsigned int *s)
{
	char *end;
	unsigned long n;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || n < 1 || n > MAX_STEP_TIMEOUT_S)
		return -1;
	*s = (unsigned int)n;
	return 0;
}

/* Writes all of buf to fd; gives up on an error other than EINTR. */
static void put(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		if (fd == ktap)
			sent_ktap += (unsigned long long)w;
		else if (fd == rows)
			sent_rows += (unsigned long long)w;
		else if (fd == facts)
			sent_facts += (unsigned long long)w;
		buf += w;
		n -= (size_t)w;
	}
}

static void out(int fd, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf)) {
		/* cut: still one whole line */
		n = sizeof(buf) - 1;
		buf[n - 1] = '\n';
	}
	put(fd, buf, (size_t)n);
}

static void console(const char *msg)
{
	int fd = open("/dev/console", O_WRONLY | O_NOCTTY);

	if (fd >= 0) {
		dprintf(fd, "lab-init: %s\n", msg);
		close(fd);
	}
}

static void finish(int status)
{
	char line[256];

#ifdef LAB_SERIAL_STREAMS
	/* write() returns once the bytes are in the tty's buffer; the ports
	 * must have sent them before the status line says they were sent
	 * (seen with two vCPUs: the end of the results was lost). */
	if (ktap >= 0)
		tcdrain(ktap);
	if (rows >= 0)
		tcdrain(rows);
	if (facts >= 0)
		tcdrain(facts);
#endif
	/*
	 * A virtio-serial write() returns once the buffer is queued and the
	 * host notified; the host counts bytes against this line, so a loss
	 * anywhere shows as a failed boot, not as a shorter result.
	 */
	snprintf(line, sizeof(line),
		 "{\"status\":%d,\"bytes\":{\"ktap\":%llu,\"rows\":%llu,\"facts\":%llu}}\n",
		 status, sent_ktap, sent_rows, sent_facts);
	if (status_port >= 0) {
		put(status_port, line, strlen(line));
		close(status_port);
	} else {
		console("no " LAB_PORT_STATUS " port: the host will count this boot as failed");
	}
	if (ktap >= 0)
		close(ktap);
	if (rows >= 0)
		close(rows);
	if (facts >= 0)
		close(facts);
	sync();
	/* QEMU exits 0; the status is the line above. */
	reboot(LAB_END);
	for (;;)
		pause();
}

static void mount_all(void)
{
	mkdir("/proc", 0555);
	mkdir("/sys", 0555);
	mkdir("/dev", 0755);
	mkdir("/tmp", 01777);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
}

#ifdef LAB_SERIAL_STREAMS
static int open_port(const char *path)
{
	struct termios t;
	int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
	return fd;
}
#endif

static int read_file(const char *path, char *buf, size_t size);

/* The virtio-serial port called name (/sys/class/virtio-ports/X/name), as
 * /dev/X opened for writing; -1 while there is none. */
static int open_named_port(const char *name)
{
	DIR *d = opendir("/sys/class/virtio-ports");
	struct dirent *e;
	int fd = -1;

	if (!d)
		return -1;
	while (fd < 0 && (e = readdir(d))) {
		char path[512], value[128];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name",
			 e->d_name);
		if (read_file(path, value, sizeof(value)) || strcmp(value, name))
			continue;
		snprintf(path, sizeof(path), "/dev/%s", e->d_name);
		fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	}
	closedir(d);
	return fd;
}

/* The status port, and on arm64 the streams' ports, waiting for the
 * driver to add them; 0 when all are open. */
static int open_virtio_ports(void)
{
	static const struct timespec tick = { 0, 20 * 1000 * 1000 };

	for (int waited = 0;; waited += 20) {
#ifndef LAB_SERIAL_STREAMS
		if (ktap < 0)
			ktap = open_named_port(LAB_PORT_KTAP);
		if (rows < 0)
			rows = open_named_port(LAB_PORT_ROWS);
		if (facts < 0)
			facts = open_named_port(LAB_PORT_FACTS);
#endif
		if (status_port < 0)
			status_port = open_named_port(LAB_PORT_STATUS);
		if (ktap >= 0 && rows >= 0 && facts >= 0 && status_port >= 0)
			return 0;
		if (waited >= PORT_WAIT_MS)
			return -1;
		nanosleep(&tick, NULL);
	}
}

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* The value of key= on the kernel command line, or NULL. */
static const char *cmdline_value(const char *key, char *buf, size_t size)
{
	char line[4096];
	size_t klen = strlen(key);

	if (read_file("/proc/cmdline", line, sizeof(line)))
		return NULL;
	for (char *tok = strtok(line, " "); tok; tok = strtok(NULL, " ")) {
		if (strncmp(tok, key, klen) == 0 && tok[klen] == '=') {
			snprintf(buf, size, "%s", tok + klen + 1);
			return buf;
		}
	}
	return NULL;
}

/* How many words of the kernel's command line set key. */
static int cmdline_count(const char *key)
{
	char line[4096];
	size_t klen = strlen(key);
	int n = 0;

	if (read_file("/proc/cmdline", line, sizeof(line)))
		return 0;
	for (char *tok = strtok(line, " "); tok; tok = strtok(NULL, " "))
		n += strncmp(tok, key, klen) == 0 && tok[klen] == '=';
	return n;
}

/* A plan's name: 1 to 64 letters, digits, '-' or '_' (a file of /lab/plans). */
static int plan_name_ok(const char *v)
{
	size_t n = strlen(v);

	return n >= 1 && n <= 64 && strspn(v, "abcdefghijklmnopqrstuvwxyz"
					    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == n;
}

/*
 * The lab's words of the command line, as strictly as the host checks
 * them: each at most once; lab.plan a name, lab.mode a mode,
 * lab.step_timeout whole seconds from 1 to MAX_STEP_TIMEOUT_S. NULL, or
 * why not (in why).
 */
static const char *cmdline_refusal(char *why, size_t size)
{
	static const char *const keys[] = { "lab.plan", "lab.mode", "lab.step_timeout" };
	static const char *const modes[] = { "auto", "tcg", "kvm", "icount" };
	char v[256];
	int mode_ok = 0;

	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		if (cmdline_count(keys[i]) > 1) {
			snprintf(why, size, "%s: given %d times", keys[i], cmdline_count(keys[i]));
			return why;
		}
	if (cmdline_value("lab.plan", v, sizeof(v)) && !plan_name_ok(v)) {
		snprintf(why, size, "lab.plan=%s: not a plan's name", v);
		return why;
	}
	if (cmdline_value("lab.mode", v, sizeof(v))) {
		for (size_t i = 0; i < sizeof(modes) / sizeof(*modes); i++)
			mode_ok |= !strcmp(v, modes[i]);
		if (!mode_ok) {
			snprintf(why, size, "lab.mode=%s: not a mode (auto, tcg, kvm or icount)", v);
			return why;
		}
	}
	if (cmdline_value("lab.step_timeout", v, sizeof(v)) &&
	    parse_seconds(v, &step_timeout_s)) {
		snprintf(why, size, "lab.step_timeout=%s: not a whole number of seconds from 1 to %u",
			 v, MAX_STEP_TIMEOUT_S);
		return why;
	}
	return NULL;
}

/* --- output of a step: indented into the KTAP stream -------------------- */

struct indenter {
	int at_line_start;
};

static void indent_bytes(struct indenter *in, const char *buf, size_t n)
{
	for (size_t i = 0; i < n;) {
		const char *nl;
		size_t len;

		if (in->at_line_start) {
			put(ktap, "    ", 4);
			in->at_line_start = 0;
		}
		nl = memchr(buf + i, '\n', n - i);
		len = nl ? (size_t)(nl - (buf + i)) + 1 : n - i;
		put(ktap, buf + i, len);
		if (nl)
			in->at_line_start = 1;
		i += len;
	}
}

static void indent_end(struct indenter *in)
{
	if (!in->at_line_start)
		put(ktap, "\n", 1);
	in->at_line_start = 1;
}

/* --- the kernel log ------------------------------------------------------ */

/* /dev/kmsg positioned at its end: what is read later is what came after. */
static int kmsg_open_at_end(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* Reads the records from fd: each message is handed to the indenter (if
 * any); the ones that show the kernel in trouble are counted, and shown as
 * diagnostics when show_trouble is set. */
static int kmsg_drain(int fd, struct indenter *in, int show_trouble)
{
	char rec[8192];
	int bad = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		char *msg, *end;

		if (n < 0)
			continue; /* records were overwritten: go on */
		rec[n] = '\0';
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		end = strchr(msg, '\n');
		if (end)
			*end = '\0';
		if (lab_trouble(msg)) {
			bad++;
			if (show_trouble)
				out(ktap, "# kernel log: %s\n", msg);
		}
		if (in) {
			indent_bytes(in, msg, strlen(msg));
			indent_bytes(in, "\n", 1);
		}
	}
	return bad;
}

/* --- steps ----------------------------------------------------------------- */

/* A JSON string: quotes, backslashes and control characters escaped. */
static void json_str(char *dst, size_t size, const char *s)
{
	size_t o = 0;

	for (; *s && o + 7 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			o += (size_t)snprintf(dst + o, size - o, "\\%c", c);
		else if (c < 0x20)
			o += (size_t)snprintf(dst + o, size - o, "\\u%04x", c);
		else
			dst[o++] = (char)c;
	}
	dst[o] = '\0';
}

/* Appends "key":"value" to the object being built in buf. */
static void json_field(char *buf, size_t size, const char *key,
		       const char *value)
{
	char esc[1024];
	size_t len = strlen(buf);

	json_str(esc, sizeof(esc), value);
	snprintf(buf + len, size - len, "%s\"%s\":\"%s\"",
		 buf[len - 1] == '{' ? "" : ",", key, esc);
}

/* x86: /proc/cpuinfo's model name. arm64's /proc/cpuinfo has none: the
 * device tree's first CPU's compatible ("arm,cortex-a72"), else the
 * implementer and part numbers. */
static void cpu_model(char *buf, size_t size)
{
	char line[512], impl[64] = "", part[64] = "";
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(buf, size, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		colon[strcspn(colon, "\n")] = '\0';
		if (strncmp(line, "model name", 10) == 0) {
			snprintf(buf, size, "%s", colon + 2);
			fclose(f);
			return;
		}
		if (!impl[0] && strncmp(line, "CPU implementer", 15) == 0)
			snprintf(impl, sizeof(impl), "%s", colon + 2);
		if (!part[0] && strncmp(line, "CPU part", 8) == 0)
			snprintf(part, sizeof(part), "%s", colon + 2);
	}
	fclose(f);
	if (read_file("/sys/firmware/devicetree/base/cpus/cpu@0/compatible",
		      line, sizeof(line)) == 0 && line[0])
		snprintf(buf, size, "%s", line);
	else if (impl[0])
		snprintf(buf, size, "CPU implementer %s, part %s", impl, part);
}

/* One JSON object on the facts port: what a reader of the results needs
 * to know about the kernel that produced them. */
static int step_info(void)
{
	static char obj[16384];
	const char *vdir = "/sys/devices/system/cpu/vulnerabilities";
	struct dirent **names;
	struct utsname u;
	char buf[2048], path[512];
	size_t len;
	int n;

	snprintf(obj, sizeof(obj), "{");
	if (uname(&u) == 0) {
		json_field(obj, sizeof(obj), "release", u.release);
		json_field(obj, sizeof(obj), "version", u.version);
		json_field(obj, sizeof(obj), "machine", u.machine);
	}
	if (read_file("/proc/cmdline", buf, sizeof(buf)) == 0)
		json_field(obj, sizeof(obj), "cmdline", buf);
	cpu_model(buf, sizeof(buf));
	json_field(obj, sizeof(obj), "cpu", buf);
	len = strlen(obj);
	snprintf(obj + len, sizeof(obj) - len, ",\"vulnerabilities\":{");
	n = scandir(vdir, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", vdir, names[i]->d_name);
		if (names[i]->d_name[0] != '.' &&
		    read_file(path, buf, sizeof(buf)) == 0)
			json_field(obj, sizeof(obj), names[i]->d_name, buf);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	len = strlen(obj);
	snprintf(obj + len, sizeof(obj) - len, "}}\n");
	if (obj[strlen(obj) - 1] != '\n') {
		out(ktap, "# the facts did not fit in %zu bytes\n", sizeof(obj));
		return 1;
	}
	put(facts, obj, strlen(obj));
	return 0;
}

static int step_insmod(const char *path, char **params, int nparams)
{
	struct indenter in = { 1 };
	char args[512] = "";
	int kmsg = kmsg_open_at_end();
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0) {
		out(ktap, "# cannot open %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (int i = 0; i < nparams; i++) {
		size_t len = strlen(args);

		snprintf(args + len, sizeof(args) - len, "%s%s", len ? " " : "",
			 params[i]);
	}
	if (syscall(SYS_finit_module, fd, args, 0) != 0) {
		int e = errno;

		kmsg_drain(kmsg, &in, 0);
		indent_end(&in);
		out(ktap, "# finit_module(%s): %s\n", path, strerror(e));
		ret = 1;
	} else if (kmsg_drain(kmsg, &in, 1)) {
		indent_end(&in);
		out(ktap, "# the kernel logged trouble while loading %s\n", path);
		ret = 1;
	}
	indent_end(&in);
	close(fd);
	if (kmsg >= 0)
		close(kmsg);
	return ret;
}

/* rows-file: copies a file to the rows port as it is; facts-file, to the
 * facts port (a file of JSON objects, one a line). */
static int step_copy_file(const char *path, int port)
{
	char buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		out(ktap, "# cannot open %s: %s\n", path, strerror(errno));
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		put(port, buf, (size_t)n);
	close(fd);
	if (n < 0) {
		out(ktap, "# reading %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * exec and rows: runs argv with its output through a pipe into the KTAP
 * port, indented (rows: its stdout to the rows port instead). Kills it at
 * the step's time limit.
 */
/* Closes the descriptors of fds that are open (not -1). */
static void close_fds(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}

/*
 * The step's program, started: its stdout and stderr on outfd[1], or its
 * stdout on rowsfd[1] when rowsfd[0] >= 0 (PID 1 counts what it sends).
 * The child's ends are closed here; -1 if it could not start.
 */
static pid_t step_spawn(char **argv, int outfd[2], int rowsfd[2])
{
	pid_t pid = fork();

	if (pid < 0) {
		out(ktap, "# fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		dup2(rowsfd[0] >= 0 ? rowsfd[1] : outfd[1], STDOUT_FILENO);
		dup2(outfd[1], STDERR_FILENO);
		execv(argv[0], argv);
		dprintf(STDERR_FILENO, "cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close_fds(&outfd[1], 1);
	close_fds(&rowsfd[1], 1);
	return pid;
}

/*
 * The program's output indented into KTAP (p[0]) and its rows onto the
 * rows port (p[1], or -1) until both close; 1 if the deadline came first
 * (the program is killed), else 0.
 */
static int step_relay(pid_t pid, struct pollfd p[2], long long deadline)
{
	struct indenter in = { 1 };
	int timed_out = 0;

	while (p[0].fd >= 0 || p[1].fd >= 0) {
		long long left = deadline - now_ms();
		char buf[4096];
		int r;

		if (left <= 0) {
			kill(pid, SIGKILL);
			timed_out = 1;
			break;
		}
		r = poll(p, 2, left > 1000 ? 1000 : (int)left);
		if (r < 0 && errno != EINTR)
			break;
		if (r <= 0)
			continue;
		for (int k = 0; k < 2; k++) {
			ssize_t n;

			if (p[k].fd < 0 || !p[k].revents)
				continue;
			n = read(p[k].fd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				close_fds(&p[k].fd, 1);
			else if (k == 0)
				indent_bytes(&in, buf, (size_t)n);
			else
				put(rows, buf, (size_t)n);
		}
	}
	for (int k = 0; k < 2; k++)
		close_fds(&p[k].fd, 1);
	indent_end(&in);
	return timed_out;
}

/* The program's end, waited for until the deadline; 1 if it failed. */
static int step_reap(pid_t pid, long long deadline, int timed_out)
{
	int status;

	/* The pipe is closed when the program ends (or hands it on to a
	 * child that outlives it: then the time limit still applies). */
	while (waitpid(pid, &status, timed_out ? 0 : WNOHANG) == 0) {
		if (now_ms() >= deadline) {
			kill(pid, SIGKILL);
			timed_out = 1;
		} else {
			usleep(10000);
		}
	}
	if (timed_out) {
		out(ktap, "# timed out after %u s: killed\n", step_timeout_s);
		return 1;
	}
	if (WIFSIGNALED(status)) {
		out(ktap, "# killed by signal %d (%s)\n", WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
		return 1;
	}
	if (WEXITSTATUS(status))
		out(ktap, "# exit status %d\n", WEXITSTATUS(status));
	return WEXITSTATUS(status) != 0;
}

/*
 * One step's program, run to its end or its time limit; its output into
 * KTAP, its stdout onto the rows port when stdout_to_rows. 1 if it failed.
 */
static int step_exec(char **argv, int stdout_to_rows)
{
	long long deadline = now_ms() + (long long)step_timeout_s * 1000;
	int pipefd[2] = { -1, -1 }, rowsfd[2] = { -1, -1 };
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) ||
	    (stdout_to_rows && pipe2(rowsfd, O_CLOEXEC))) {
		out(ktap, "# pipe: %s\n", strerror(errno));
		close_fds(pipefd, 2);
		return 1;
	}
	pid = step_spawn(argv, pipefd, rowsfd);
	if (pid < 0) {
		close_fds(pipefd, 2);
		close_fds(rowsfd, 2);
		return 1;
	}
	{
		/* p[0]: the output, indented into KTAP; p[1]: rows (or none) */
		struct pollfd p[2] = { { .fd = pipefd[0], .events = POLLIN },
				       { .fd = rowsfd[0], .events = POLLIN } };

		return step_reap(pid, deadline, step_relay(pid, p, deadline));
	}
}

/* The final step: the whole kernel log, checked for trouble once more. */
static int step_kernel_log_check(void)
{
	int kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	int bad;

	if (kmsg < 0) {
		out(ktap, "# cannot read the kernel log: %s\n", strerror(errno));
		return 1;
	}
	bad = kmsg_drain(kmsg, NULL, 1);
	close(kmsg);
	return bad != 0;
}

struct step {
	char *argv[MAX_ARGS + 1];
	int argc;
	const char *only;	/* only=ARCH[,ARCH...]: the list, or NULL */
};

/* Whether this guest's architecture is in a comma-separated list. */
static int arch_listed(const char *list)
{
	size_t len = strlen(LAB_ARCH);

	for (const char *p = list;; p++) {
		size_t n = strcspn(p, ",");

		if (n == len && !strncmp(p, LAB_ARCH, len))
			return 1;
		p += n;
		if (!*p)
			return 0;
	}
}

/* 0 if every name in the comma-separated list is an architecture the lab
 * knows (a misspelt one would skip the step everywhere, silently). */
static int arches_known(const char *list)
{
	const char *p = list;

	if (!*p)
		return -1;
	for (;;) {
		size_t len = strcspn(p, ","), i;

		for (i = 0; i < sizeof(known_arches) / sizeof(*known_arches); i++)
			if (strlen(known_arches[i]) == len &&
			    !strncmp(p, known_arches[i], len))
				break;
		if (i == sizeof(known_arches) / sizeof(*known_arches))
			return -1;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

/* Reads the plan; returns the number of steps, or -1 (and why, as KTAP
 * diagnostics). */
static int read_plan(const char *plan, struct step *steps, char *text,
		     size_t size)
{
	char path[256];
	int fd, n = 0;
	ssize_t len;

	snprintf(path, sizeof(path), "/lab/plans/%s", plan);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		out(ktap, "# no plan %s: %s\n", path, strerror(errno));
		return -1;
	}
	len = read(fd, text, size - 1);
	close(fd);
	if (len < 0 || (size_t)len == size - 1) {
		out(ktap, "# plan %s: unreadable or too long\n", path);
		return -1;
	}
	text[len] = '\0';
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		struct step *s = &steps[n];
		char *save, *tok;

		if (line[strspn(line, " \t")] == '#' ||
		    line[strspn(line, " \t")] == '\0')
			continue;
		if (n == MAX_STEPS) {
			out(ktap, "# plan %s: more than %d steps\n", path, MAX_STEPS);
			return -1;
		}
		s->argc = 0;
		s->only = NULL;
		for (tok = strtok_r(line, " \t", &save); tok && s->argc < MAX_ARGS;
		     tok = strtok_r(NULL, " \t", &save)) {
			if (s->argc == 1 && !s->only && !strncmp(tok, "only=", 5)) {
				s->only = tok + 5;
				if (arches_known(s->only)) {
					out(ktap, "# plan %s: step '%s': unknown architecture in only=%s (known: x86_64, arm64)\n",
					    path, s->argv[0], s->only);
					return -1;
				}
				continue;
			}
			s->argv[s->argc++] = tok;
		}
		s->argv[s->argc] = NULL;
		if (s->argc < 2) {
			out(ktap, "# plan %s: step '%s' has no kind\n", path,
			    s->argv[0]);
			return -1;
		}
		n++;
	}
	return n;
}

static int run_step(struct step *s)
{
	const char *kind = s->argv[1];

	if (strcmp(kind, "info") == 0 && s->argc == 2)
		return step_info();
	if (strcmp(kind, "insmod") == 0 && s->argc >= 3)
		return step_insmod(s->argv[2], s->argv + 3, s->argc - 3);
	if (strcmp(kind, "exec") == 0 && s->argc >= 3)
		return step_exec(s->argv + 2, 0);
	if (strcmp(kind, "rows") == 0 && s->argc >= 3)
		return step_exec(s->argv + 2, 1);
	if (strcmp(kind, "rows-file") == 0 && s->argc == 3)
		return step_copy_file(s->argv[2], rows);
	if (strcmp(kind, "facts-file") == 0 && s->argc == 3)
		return step_copy_file(s->argv[2], facts);
	out(ktap, "# unknown step kind '%s' (or wrong arguments)\n", kind);
	return 1;
}

int main(void)
{
	static char text[16384];
	static struct step steps[MAX_STEPS];
	char value[64], why[512];
	int failed = 0, n;

	mount_all();
#ifdef LAB_SERIAL_STREAMS
	ktap = open_port("/dev/ttyS1");
	rows = open_port("/dev/ttyS2");
	facts = open_port("/dev/ttyS3");
	if (ktap < 0 || rows < 0 || facts < 0) {
		console("no result ports (/dev/ttyS1, ttyS2, ttyS3)");
		finish(3);
	}
	if (open_virtio_ports()) {
		console("no status port (virtio-serial " LAB_PORT_STATUS ")");
		finish(3);
	}
#else
	if (open_virtio_ports()) {
		console("no result ports (virtio-serial " LAB_PORT_KTAP ", " LAB_PORT_ROWS
			", " LAB_PORT_FACTS ", " LAB_PORT_STATUS ")");
		finish(3);
	}
#endif
	if (cmdline_refusal(why, sizeof(why))) {
		out(ktap, "KTAP version 1\n1..1\nnot ok 1 %s\n", why);
		finish(1);
	}
	if (cmdline_value("lab.mode", value, sizeof(value)))
		setenv("LAB_MODE", value, 1);
	if (!cmdline_value("lab.plan", value, sizeof(value)))
		snprintf(value, sizeof(value), "run");

	out(ktap, "KTAP version 1\n");
	n = read_plan(value, steps, text, sizeof(text));
	if (n < 0) {
		out(ktap, "1..1\nnot ok 1 plan\n");
		finish(1);
	}
	out(ktap, "1..%d\n", n + 1);
	for (int i = 0; i < n; i++) {
		int bad;

		/* KTAP's subtest header: a step cut short keeps its name */
		out(ktap, "    # Subtest: %s\n", steps[i].argv[0]);
		if (steps[i].only && !arch_listed(steps[i].only)) {
			out(ktap, "ok %d %s # SKIP only on %s: this guest is %s\n",
			    i + 1, steps[i].argv[0], steps[i].only, LAB_ARCH);
			continue;
		}
		bad = run_step(&steps[i]);

		out(ktap, "%sok %d %s\n", bad ? "not " : "", i + 1,
		    steps[i].argv[0]);
		failed |= bad;
	}
	if (step_kernel_log_check()) {
		out(ktap, "not ok %d kernel-log-check\n", n + 1);
		failed = 1;
	} else {
		out(ktap, "ok %d kernel-log-check\n", n + 1);
	}
	finish(failed);
}
