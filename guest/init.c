/*
 * The lab guest's PID 1: a static program, so the initramfs needs nothing
 * else. It mounts /proc, /sys and /dev, then runs the plan named by
 * lab.plan= on the kernel command line (/lab/plans/NAME), one step a line:
 *
 *   NAME  @info               kernel release, command line, mitigations
 *   NAME  @insmod FILE.ko [PARAM=VALUE...]
 *                             load a module, show the kernel log it caused
 *   NAME  PROGRAM ARGS...     run a program, its output on the result channel
 *
 * Results go to the second serial port (/dev/ttyS1), apart from the console,
 * framed as
 *
 *   @@lab begin NAME
 *   ...
 *   @@lab end NAME status=N
 *   @@lab done status=N
 *
 * At the end it checks the kernel log for oopses and warnings, hands its
 * status to QEMU through isa-debug-exit (port 0xf4) and powers off.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define DEBUG_EXIT_PORT 0xf4
#define STEP_TIMEOUT_S 600
#define MAX_ARGS 32

static int chan = -1;

static void out(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	for (int off = 0; off < n;) {
		ssize_t w = write(chan, buf + off, (size_t)(n - off));
		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			return;
		}
		off += (int)w;
	}
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
	sync();
	/* QEMU exits with (status << 1) | 1. */
	if (ioperm(DEBUG_EXIT_PORT, 1, 1) == 0)
		outb((unsigned char)status, DEBUG_EXIT_PORT);
	else
		console("ioperm(0xf4) failed: cannot report status");
	reboot(RB_POWER_OFF);
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

static int open_channel(void)
{
	struct termios t;
	int fd = open("/dev/ttyS1", O_WRONLY | O_NOCTTY);

	if (fd < 0)
		return -1;
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
	return fd;
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

/* /dev/kmsg positioned at its end: what is read later is what came after. */
static int kmsg_open_at_end(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* Prints the messages of the kernel log records from fd; counts the ones
 * that show the kernel in trouble. */
static int kmsg_drain(int fd, const char *prefix)
{
	static const char *const trouble[] = {
		"WARNING:", "BUG:", "Oops", "general protection fault",
		"Call Trace:", "Kernel panic", "UBSAN:", "kernel BUG",
	};
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
		for (size_t i = 0; i < sizeof(trouble) / sizeof(*trouble); i++)
			if (strstr(msg, trouble[i]))
				bad++;
		if (prefix)
			out("%s%s\n", prefix, msg);
	}
	return bad;
}

static int step_info(void)
{
	static const char *const vulns[] = {
		"meltdown", "spectre_v1", "spectre_v2", "mds", "retbleed",
		"spec_store_bypass", "l1tf", "srbds", "mmio_stale_data",
		"gather_data_sampling", "spec_rstack_overflow",
		"reg_file_data_sampling", "its", "tsa",
	};
	struct utsname u;
	char buf[4096], path[256];

	if (uname(&u) == 0)
		out("release %s\nversion %s\nmachine %s\n", u.release,
		    u.version, u.machine);
	if (read_file("/proc/cmdline", buf, sizeof(buf)) == 0)
		out("cmdline %s\n", buf);
	for (size_t i = 0; i < sizeof(vulns) / sizeof(*vulns); i++) {
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/vulnerabilities/%s", vulns[i]);
		if (read_file(path, buf, sizeof(buf)) == 0)
			out("vulnerability %s: %s\n", vulns[i], buf);
	}
	return 0;
}

static int step_insmod(const char *path, char **params, int nparams)
{
	char args[512] = "";
	int kmsg = kmsg_open_at_end();
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0) {
		out("cannot open %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (int i = 0; i < nparams; i++) {
		size_t len = strlen(args);

		snprintf(args + len, sizeof(args) - len, "%s%s", len ? " " : "",
			 params[i]);
	}
	if (syscall(SYS_finit_module, fd, args, 0) != 0) {
		out("finit_module(%s): %s\n", path, strerror(errno));
		ret = 1;
	} else {
		out("insmod %s: loaded\n", path);
	}
	close(fd);
	if (kmsg_drain(kmsg, "dmesg: "))
		ret = 1;
	if (kmsg >= 0)
		close(kmsg);
	return ret;
}

static int step_exec(char **argv)
{
	pid_t pid = fork();
	int status;

	if (pid < 0) {
		out("fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		dup2(chan, STDOUT_FILENO);
		dup2(chan, STDERR_FILENO);
		alarm(STEP_TIMEOUT_S); /* survives exec: a hung step is killed */
		execv(argv[0], argv);
		dprintf(STDOUT_FILENO, "cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	if (WIFSIGNALED(status)) {
		out("%s killed by signal %d%s\n", argv[0], WTERMSIG(status),
		    WTERMSIG(status) == SIGALRM ? " (step timeout)" : "");
		return 128 + WTERMSIG(status);
	}
	return WEXITSTATUS(status);
}

static int run_plan(const char *plan)
{
	char path[256], line[1024];
	int failed = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/lab/plans/%s", plan);
	f = fopen(path, "r");
	if (!f) {
		out("@@lab begin plan\nno plan %s: %s\n@@lab end plan status=1\n",
		    path, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *argv[MAX_ARGS + 1];
		int argc = 0, status;
		char *name;

		for (char *tok = strtok(line, " \t\n"); tok && argc < MAX_ARGS;
		     tok = strtok(NULL, " \t\n"))
			argv[argc++] = tok;
		argv[argc] = NULL;
		if (argc < 2 || argv[0][0] == '#')
			continue;
		name = argv[0];
		out("@@lab begin %s\n", name);
		if (strcmp(argv[1], "@info") == 0)
			status = step_info();
		else if (strcmp(argv[1], "@insmod") == 0 && argc >= 3)
			status = step_insmod(argv[2], argv + 3, argc - 3);
		else
			status = step_exec(argv + 1);
		out("@@lab end %s status=%d\n", name, status);
		if (status)
			failed = 1;
	}
	fclose(f);
	return failed;
}

int main(void)
{
	char plan[64];
	int status, kmsg;

	mount_all();
	chan = open_channel();
	if (chan < 0) {
		console("no result channel (/dev/ttyS1)");
		finish(3);
	}
	if (!cmdline_value("lab.plan", plan, sizeof(plan)))
		snprintf(plan, sizeof(plan), "run");

	status = run_plan(plan);

	/* The whole kernel log, checked once more for trouble. */
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	out("@@lab begin kernel-log-check\n");
	if (kmsg_drain(kmsg, NULL)) {
		out("the kernel logged an oops, BUG or warning: see the console log\n");
		out("@@lab end kernel-log-check status=1\n");
		status = 1;
	} else {
		out("no oops, BUG or warning in the kernel log\n");
		out("@@lab end kernel-log-check status=0\n");
	}
	out("@@lab done status=%d\n", status);
	finish(status ? 1 : 0);
}
