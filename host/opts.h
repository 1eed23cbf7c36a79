/*
 * opts.h: the host tool's command lines, in the manner of rtla, perf and
 * bpftool. Each option is defined once (its name, its value's name, one
 * line of help, one validator: struct lab_opt); each command has its own
 * table of the options it takes, which of them it requires, its operands
 * and a one-line synopsis (struct lab_cmd). Parsing touches nothing but
 * what it is given: it fills the caller's structs, or returns why not
 * (struct lab_err); only the top level (lab_parse_or_exit) prints and
 * exits.
 *
 *   lab CMD --help (-h)    usage, synopsis, the options with their help; 0
 *   an option CMD lacks    "lab CMD: unknown option '--x' (lab CMD --help
 *                          lists its options)"; 2
 *   a bad or missing value, a missing required option, an operand too
 *   many or too few, --arch arm64 for an x86_64-only command: one line; 2
 */
#ifndef LAB_OPTS_H
#define LAB_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct lab_opts;

/* Why a command line was refused: one line, and the exit status. */
struct lab_err {
	int code;
	char msg[512];
};

/* A parse's outcome. */
enum { LAB_PARSE_OK = 0, LAB_PARSE_HELP = 1, LAB_PARSE_ERROR = -1 };

/* The exit status of a refused command line. */
#define LAB_EXIT_USAGE 2

/*
 * One option. set is its one validator: it stores val (NULL for a flag)
 * into o (the options every command shares) or own (the command's own
 * struct), or writes why not into why (without the command's name) and
 * returns -1. off: where a path option keeps its value in o.
 */
struct lab_opt {
	const char *name;	/* without the dashes */
	const char *arg;	/* its value's name in the help; NULL: a flag */
	const char *help;	/* one line */
	int (*set)(const struct lab_opt *self, struct lab_opts *o, void *own,
		   const char *val, char *why, size_t n);
	size_t off;
};

/* An option as a command takes it. */
struct lab_cmd_opt {
	const struct lab_opt *opt;
	bool required;
};

/* One command: its table, its rules, its words. */
struct lab_cmd {
	const char *name;
	const char *synopsis;		/* one line (lab --help) */
	const struct lab_cmd_opt *opts;	/* ends with { NULL } */
	const char *operands;		/* in the usage line, or NULL */
	int min_args, max_args;		/* operands; max_args -1: any number */
	bool x86_only;			/* refuses --arch arm64 */
	/* the rules between options, after parsing (NULL: none) */
	int (*check)(const struct lab_opts *o, const void *own, char *why, size_t n);
	const char *notes;		/* more help, or NULL */
};

/*
 * Parses argv (argv[0] is the command's name) into o and own (o is reset
 * to its defaults first; own is the caller's, already holding its
 * defaults). The operands are moved to argv[1..] (o->args, o->nargs).
 * LAB_PARSE_OK, LAB_PARSE_HELP, or LAB_PARSE_ERROR with e filled.
 */
int lab_parse(const struct lab_cmd *c, int argc, char **argv, struct lab_opts *o,
	      void *own, struct lab_err *e);
/* The usage line, the synopsis, the options and their help. */
void lab_help(FILE *f, const struct lab_cmd *c);
/* The top level: parses, or prints (help on stdout, a refusal on stderr)
 * and exits (0, or LAB_EXIT_USAGE). */
void lab_parse_or_exit(const struct lab_cmd *c, int argc, char **argv,
		       struct lab_opts *o, void *own);

/* The options every command that has them takes the same way. */
extern const struct lab_opt lab_opt_arch, lab_opt_mode, lab_opt_timeout, lab_opt_smp,
	lab_opt_kernel, lab_opt_kobj, lab_opt_initrd, lab_opt_guest, lab_opt_out,
	lab_opt_plan, lab_opt_append, lab_opt_ksrc, lab_opt_check_only,
	lab_opt_kernel_nosys, lab_opt_kernel_noexp, lab_opt_kobj_noexp,
	lab_opt_initrd_noexp, lab_opt_host_tap, lab_opt_trace_tap,
	lab_opt_mitigations_tap, lab_opt_wiring_tap, lab_opt_with_summary,
	lab_opt_lab_only;

/* For an option's validator: writes the reason, returns -1. */
__attribute__((format(printf, 3, 4))) int lab_opt_fail(char *why, size_t n, const char *fmt, ...);

/* Every command's table (commands.c), and lab --help's list of them. */
extern const struct lab_cmd lab_cmd_boot, lab_cmd_run, lab_cmd_test, lab_cmd_bench,
	lab_cmd_report, lab_cmd_summary, lab_cmd_trace, lab_cmd_mitigations,
	lab_cmd_wiring, lab_cmd_compare, lab_cmd_compare_kernels, lab_cmd_nested;
extern const struct lab_cmd *const lab_cmds[];
extern const size_t lab_ncmds;
const struct lab_cmd *lab_cmd_find(const char *name);
void lab_commands_help(FILE *f);

/* lab mitigations' own options. */
struct mitigations_opts {
	const char *only;	/* --only NAME,...: those switches alone */
	bool report_only;	/* --report-only: no boots, the report again */
};

#endif
