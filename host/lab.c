/*
 * lab: the syscall lab's host tool. One command per job, in the manner of
 * perf, bpftool and rtla:
 *
 *   lab boot     boot a lab kernel once, supervised, into a run directory
 *   lab run      make run: boot, show the family at work, a short benchmark
 *   lab test     make test: every boot of the test suite and the summary
 *   lab bench    make bench: every path timed in every mode, the report
 *   lab report   the benchmark report, again, from stored runs
 *   lab summary  the test summary of stored runs and TAP files
 *   lab trace    make trace: single-step the paths with gdb
 *   lab mitigations  make mitigations: what each mitigation adds, traced
 *   lab wiring   make wiring: the IDT gate, MSRs and tables, read and checked
 *   lab compare  make bench's x86_64 and arm64 figures side by side
 *   lab compare-kernels  make compare-kernels: two kernel versions' traces side by side
 *   lab nested   make test-kvm: the kvm mode run for real, in a TCG guest with KVM
 */
#define _GNU_SOURCE
#include "lab.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>

#include "util.h"

/* The commands: each one's table (commands.c) and its function. */
static const struct {
	const struct lab_cmd *spec;
	int (*fn)(int, char **);
} commands[] = {
	{ &lab_cmd_boot, cmd_boot },
	{ &lab_cmd_run, cmd_run },
	{ &lab_cmd_test, cmd_test },
	{ &lab_cmd_bench, cmd_bench },
	{ &lab_cmd_report, cmd_report },
	{ &lab_cmd_summary, cmd_summary },
	{ &lab_cmd_trace, cmd_trace },
	{ &lab_cmd_mitigations, cmd_mitigations },
	{ &lab_cmd_wiring, cmd_wiring },
	{ &lab_cmd_compare, cmd_compare },
	{ &lab_cmd_compare_kernels, cmd_compare_kernels },
	{ &lab_cmd_nested, cmd_nested },
};

char *lab_probe_path(const char *out)
{
	return xasprintf("%s/kvm-probe.answer", out);
}

struct boot_opts lab_boot_opts(const struct lab_opts *o, const char *plan,
			       const char *dir)
{
	return (struct boot_opts){
		.kernel = o->kernel, .initrd = o->initrd, .plan = plan,
		.out = dir, .append = o->append, .mode = o->mode,
		.arch = o->arch, .smp = o->smp, .timeout_s = o->timeout_s,
		.probe_cache = o->probe_cache, .kobj = o->kobj,
	};
}

void lab_lock(const char *dir)
{
	char *path;
	int fd;

	if (mkdir_p(dir))
		die("cannot make %s: %s", dir, strerror(errno));
	path = xasprintf("%s/.lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		die("cannot open %s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB))
		die("busy: another lab run is using %s (lock %s)", dir, path);
	free(path); /* the descriptor stays open: the lock lasts */
}

struct run *lab_load_run(const char *dir)
{
	char *copy = xstrdup(dir), *err = NULL;
	struct run *r = run_load(dir, basename(copy), &err);

	free(copy);
	if (!r)
		die("%s", err);
	return r;
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		lab_commands_help(argc < 2 ? stderr : stdout);
		return argc < 2 ? LAB_EXIT_USAGE : 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		if (!strcmp(argv[1], commands[i].spec->name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "lab: unknown command '%s' (lab --help lists them)\n", argv[1]);
	return LAB_EXIT_USAGE;
}
