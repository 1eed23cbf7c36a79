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
#include <getopt.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>

#include "util.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *what;
} commands[] = {
	{ "boot", cmd_boot, "boot a lab kernel once into a run directory" },
	{ "run", cmd_run, "boot, show the family at work, a short benchmark" },
	{ "test", cmd_test, "every boot of the test suite, and the summary" },
	{ "bench", cmd_bench, "every path timed in every mode, and the report" },
	{ "report", cmd_report, "the benchmark report from stored runs" },
	{ "summary", cmd_summary, "the test summary of stored runs and TAP files" },
	{ "trace", cmd_trace, "single-step the paths with gdb, against icount" },
	{ "mitigations", cmd_mitigations, "what each mitigation adds, instruction by instruction" },
	{ "wiring", cmd_wiring, "the IDT gate, MSRs and tables behind a system call" },
	{ "compare", cmd_compare, "x86_64 beside arm64, from make bench's icount runs" },
	{ "compare-kernels", cmd_compare_kernels, "two kernel versions' traced paths and icount rows" },
	{ "nested", cmd_nested, "kvm mode for real: lab boot --mode auto inside a TCG guest with KVM" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: lab COMMAND [OPTIONS]\n\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		fprintf(f, "  %-15s %s\n", commands[i].name, commands[i].what);
}

void lab_opts_parse(int argc, char **argv, struct lab_opts *o)
{
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "kernel-nosys", required_argument, NULL, 'K' },
		{ "kernel-noexports", required_argument, NULL, 'E' },
		{ "kobj-noexports", required_argument, NULL, 'B' },
		{ "initrd-noexports", required_argument, NULL, 'I' },
		{ "kobj", required_argument, NULL, 'b' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "plan", required_argument, NULL, 'p' },
		{ "append", required_argument, NULL, 'a' },
		{ "guest", required_argument, NULL, 'g' },
		{ "host-tap", required_argument, NULL, 'H' },
		{ "trace-tap", required_argument, NULL, 'T' },
		{ "mitigations-tap", required_argument, NULL, 'X' },
		{ "wiring-tap", required_argument, NULL, 'W' },
		{ "with-summary", required_argument, NULL, 'Y' },
		{ "lab-only", no_argument, NULL, 'L' },
		{ "mode", required_argument, NULL, 'm' },
		{ "timeout", required_argument, NULL, 't' },
		{ "smp", required_argument, NULL, 's' },
		{ "arch", required_argument, NULL, 'A' },
		{ 0 }
	};
	int c, m;
	char *end;
	unsigned long v;

	memset(o, 0, sizeof(*o));
	o->timeout_s = 300;
	o->plan = "run";
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': o->kernel = optarg; break;
		case 'K': o->kernel_nosys = optarg; break;
		case 'E': o->kernel_noexp = optarg; break;
		case 'B': o->kobj_noexp = optarg; break;
		case 'I': o->initrd_noexp = optarg; break;
		case 'b': o->kobj = optarg; break;
		case 'i': o->initrd = optarg; break;
		case 'o': o->out = optarg; break;
		case 'p': o->plan = optarg; break;
		case 'a': o->append = optarg; break;
		case 'g': o->guest = optarg; break;
		case 'H': o->host_tap = optarg; break;
		case 'T': o->trace_tap = optarg; break;
		case 'X': o->mitigations_tap = optarg; break;
		case 'W': o->wiring_tap = optarg; break;
		case 'Y':
			if (o->nwith_summary == LAB_WITH_SUMMARY_MAX)
				die("--with-summary: at most %d", LAB_WITH_SUMMARY_MAX);
			o->with_summary[o->nwith_summary++] = optarg;
			break;
		case 'L': o->lab_only = true; break;
		case 'm':
			m = mode_parse(optarg);
			if (m < 0)
				die("unknown mode '%s' (auto, tcg, kvm or icount)", optarg);
			o->mode = (enum lab_mode)m;
			break;
		case 't':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || v > 86400)
				die("--timeout wants seconds (0 to 86400), not '%s'", optarg);
			o->timeout_s = (unsigned int)v;
			break;
		case 'A':
			m = arch_parse(optarg);
			if (m < 0)
				die("unknown architecture '%s' (x86_64 or arm64)", optarg);
			o->arch = (enum lab_arch)m;
			break;
		case 's':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || v < 1 || v > LAB_SMP_MAX)
				die("--smp wants a number of vCPUs (1 to %d), not '%s'",
				    LAB_SMP_MAX, optarg);
			o->smp = (unsigned int)v;
			break;
		default:
			die("%s: unknown option or missing value: %s", argv[0],
			    argv[optind - 1]);
		}
	}
	if (arch_mode_refusal(o->arch, o->mode))
		die("%s", arch_mode_refusal(o->arch, o->mode));
	o->positional = optind;
}

struct boot_opts lab_boot_opts(const struct lab_opts *o, const char *plan,
			       const char *dir)
{
	static char *probe;

	if (!probe && o->out)
		probe = xasprintf("%s/kvm-probe.answer", o->out);
	return (struct boot_opts){
		.kernel = o->kernel, .initrd = o->initrd, .plan = plan,
		.out = dir, .append = o->append, .mode = o->mode,
		.arch = o->arch, .smp = o->smp, .timeout_s = o->timeout_s, .probe_cache = probe,
		.kobj = o->kobj,
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
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	die("unknown command '%s' (lab --help lists them)", argv[1]);
}
