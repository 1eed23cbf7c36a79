/*
 * trace_write.c: lab trace's writers (trace_write.h) over its model
 * (trace_model.h): the staged listings, report.md (per stage, lab_batch(),
 * against icount, per function), the chart's data and the terminal summary.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "plot.h"
#include "trace_model.h"
#include "trace_write.h"
#include "util.h"

void trace_write_staged(const struct trace_setting *s)
{
	const struct trace_arch *arch = s->arch;
	for (int p = 0; p < NPATHS; p++) {
		struct strbuf b = { 0 };
		char *path;

		if (!trace_has_path(arch, p))
			continue;
		path = xasprintf("%s/%s.staged", s->dir, arch->names[p]);

		for (size_t i = 0; i < s->p[p].n; i++) {
			const struct trace_insn *in = &s->p[p].v[i];

			sb_printf(&b, "%zu\t%s\t%s\t%s\t%s\n", i + 1, in->pc,
				  in->sym, in->text, in->stage);
		}
		write_file(path, b.s ? b.s : "", b.len);
		sb_free(&b);
		free(path);
	}
}


/* ---- report --------------------------------------------------------------- */

/* Per stage, in order of first appearance, one column per setting. */
static void stage_table(struct strbuf *b, struct trace_setting **ok, int nok, int p)
{
	struct trace_names stages = { 0 };

	for (int j = 0; j < nok; j++)
		for (size_t i = 0; i < ok[j]->p[p].n; i++)
			trace_names_add(&stages, ok[j]->p[p].v[i].stage);
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
			sb_printf(b, " %zu |", trace_count_stage(&ok[j]->p[p], stages.v[k]));
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
static void symbol_table(struct strbuf *b, const struct trace_path *p)
{
	struct trace_names keys = { 0 };
	char **owned = xcalloc(p->n, sizeof(char *));
	size_t *counts = xcalloc(p->n, sizeof(size_t));

	for (size_t i = 0; i < p->n; i++) {
		char *base = trace_symbol_base(p->v[i].sym);

		owned[i] = xasprintf("%s\t%s", base, p->v[i].stage);
		free(base);
		counts[trace_names_add(&keys, owned[i])]++;
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
bool trace_chart(const char *out, struct trace_setting **ok, int nok)
{
	const struct trace_arch *arch = ok[0]->arch;
	char *dat = xasprintf("%s/chart-stages.dat", out);
	char *png = xasprintf("%s/chart-stages.png", out);
	const struct plot_var vars[] = { { "datafile", dat, 0 } };
	struct trace_names stages = { 0 };
	struct strbuf b = { 0 };
	char *why = NULL;
	bool done;

	for (int j = 0; j < nok; j++)
		for (int p = 0; p < NPATHS; p++)
			for (size_t i = 0; i < ok[j]->p[p].n; i++)
				trace_names_add(&stages, ok[j]->p[p].v[i].stage);
	sb_printf(&b, "stage");
	for (size_t k = 0; k < stages.n; k++)
		sb_printf(&b, "\t%s", stages.v[k]);
	sb_printf(&b, "\n");
	for (int j = 0; j < nok; j++)
		for (int o = 0; o < NPATHS; o++) {
			int p = trace_path_order[o];

			if (!trace_has_path(arch, p))
				continue;
			sb_printf(&b, "%s (%s)", arch->names[p], ok[j]->mit);
			for (size_t k = 0; k < stages.n; k++)
				sb_printf(&b, "\t%zu", trace_count_stage(&ok[j]->p[p], stages.v[k]));
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

/* What the section counts, in words. */
static void batch_intro(struct strbuf *b, const struct trace_arch *arch)
{
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
}

/* T1, T4, per record, once per crossing, and of those the body's and the crossing's. */
static void batch_totals(struct strbuf *b, struct trace_setting **ok, int nok)
{
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
		sb_printf(b, " **%.4g** |", trace_per_record(ok[j]));
	sb_printf(b, "\n| **once per crossing**, T1 - per record |");
	for (int j = 0; j < nok; j++)
		sb_printf(b, " **%.4g** |", (double)ok[j]->p[P_BATCH1].n - trace_per_record(ok[j]));
	sb_printf(b, "\n| of those, in the body (lab_batch()'s own set-up and checks) |");
	for (int j = 0; j < nok; j++)
		sb_printf(b, " %.4g |", (double)trace_count_stage(&ok[j]->p[P_BATCH1], STAGE_BODY) -
					trace_per_record(ok[j]));
	sb_printf(b, "\n| of those, the crossing (every other stage; batch4: the same) |");
	for (int j = 0; j < nok; j++) {
		size_t out1 = ok[j]->p[P_BATCH1].n - trace_count_stage(&ok[j]->p[P_BATCH1], STAGE_BODY);
		size_t out4 = ok[j]->p[P_BATCH4].n - trace_count_stage(&ok[j]->p[P_BATCH4], STAGE_BODY);

		if (out1 == out4)
			sb_printf(b, " %zu |", out1);
		else
			sb_printf(b, " %zu (batch4: %zu) |", out1, out4);
	}
}

/* icount's figures beside the expected. */
static void batch_icount(struct strbuf *b, struct trace_setting **ok, int nok)
{
	for (int p = P_BATCH1; p <= P_BATCH4; p++) {
		sb_printf(b, "\n| icount, %u record%s a crossing (ops %u), against the expected |",
			  trace_icount_ops[p], trace_icount_ops[p] == 1 ? "" : "s", trace_icount_ops[p]);
		for (int j = 0; j < nok; j++) {
			int extra = trace_icount_extra(ok[j], p), reps = trace_rep_runs(&ok[j]->p[p]);

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
}

/* Where the per-record instructions are: per function, batch4 less batch1. */
static void batch_where(struct strbuf *b, struct trace_setting **ok, int nok)
{
	for (int j = 0; j < nok; j++) {
		size_t n;
		struct trace_fcount *d = trace_batch_diff(ok[j], &n);
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
		trace_free_fcounts(d, n);
	}
}

/*
 * lab_batch(): T1 and T4, per record and once per crossing, icount's
 * figures beside them, the stages, and where the per-record instructions
 * are (per function, batch4 less batch1).
 */
static void batch_section(struct strbuf *b, struct trace_setting **ok, int nok)
{
	const struct trace_arch *arch = ok[0]->arch;

	batch_intro(b, arch);
	batch_totals(b, ok, nok);
	batch_icount(b, ok, nok);
	for (int p = P_BATCH1; p <= P_BATCH4; p++) {
		sb_printf(b, "**%s**, per stage\n\n", arch->names[p]);
		stage_table(b, ok, nok, p);
		sb_printf(b, "\n");
	}
	batch_where(b, ok, nok);
}

/* The title and what each path is, in words. */
static void report_paths(struct strbuf *b, const struct trace_arch *arch)
{
	sb_printf(b, "# Where a system call's instructions go (%s)\n\n"
		  "One call of each path, single-stepped in the lab kernel under TCG through\n"
		  "QEMU's gdbstub (interrupts masked while stepping), symbolised by gdb against\n"
		  "the minimal symbols of the lab kernel's `vmlinux` and of the static user\n"
		  "programs.\n\n", arch_name(arch->arch));
	if (arch->arch == ARCH_ARM64)
		sb_printf(b, "- **svc**: from the `svc #0` in `lab_call_site_svc()` (x8 the lab_null\n"
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
		sb_printf(b, "- **syscall**: from the `syscall` instruction in `lab_call_site_syscall()` to the\n"
		  "  first user instruction after it;\n"
		  "- **batch1**, **batch4**: the same from `lab_call_site_batch1()` and\n"
		  "  `lab_call_site_batch4()`, one `lab_batch()` of 1 and of 4 `LAB_BATCH_NULL`\n"
		  "  records;\n"
		  "- **int80**: `int $0x80` in `lab_call_site_int80()` (the 32-bit table, from the\n"
		  "  64-bit user_syscall) to the user instruction after it;\n"
		  "- **kernel**: the module's `call ksys_lab_null` (the in-kernel system call) to the\n"
		  "  instruction after it;\n"
		  "- **function**: `call lab_null_function` in user space to the instruction after it.\n\n");
}

/* The settings not traced, then per stage: each path, lab_batch(), the chart. */
static void report_stages(struct strbuf *b, struct trace_setting *all, int nall,
			  struct trace_setting **ok, int nok, bool have_chart)
{
	const struct trace_arch *arch = all[0].arch;

	for (int j = 0; j < nall; j++)
		if (all[j].failure)
			sb_printf(b, "**No trace with mitigations %s:** %s\n\n",
				  all[j].mit, all[j].failure);
	if (nok) {
		sb_printf(b, "## The null system call, per stage\n\n");
		stage_table(b, ok, nok, P_SYSCALL);
	}
	if (nok && trace_has_path(arch, P_SVC32)) {
		sb_printf(b, "\n## The null system call from a 32-bit (AArch32) program, per stage\n\n");
		stage_table(b, ok, nok, P_SVC32);
	}
	if (nok && trace_has_path(arch, P_INT80)) {
		sb_printf(b, "\n## The null system call through int $0x80 (64-bit process), per stage\n\n");
		stage_table(b, ok, nok, P_INT80);
	}
	if (nok && trace_has_path(arch, P_VDSO32)) {
		sb_printf(b, "\n## The null system call through the 32-bit vDSO, per stage\n\n"
			  "From `call *` (the address of `__kernel_vsyscall`, AT_SYSINFO) in\n"
			  "user_syscall32's `lab_call_site_vdso()` to the instruction after it: the\n"
			  "vDSO's own instructions (32-bit user code, decoded as i386; symbols from the\n"
			  "kernel build's `vdso32.so.dbg`, placed where the call went), the CPU's\n"
			  "way in (`sysenter` on this CPU model: the kernel patched it into the vDSO\n"
			  "at boot), the compat entry and its return, and the vDSO again.\n\n");
		stage_table(b, ok, nok, P_VDSO32);
	}
	if (nok) {
		sb_printf(b, "\n");
		batch_section(b, ok, nok);
		sb_printf(b, "## The in-kernel call and the function call\n\n");
		for (int p = P_KERNEL; p <= P_FUNCTION; p++) {
			sb_printf(b, "**%s**\n\n", arch->names[p]);
			stage_table(b, ok, nok, p);
			sb_printf(b, "\n");
		}
		if (have_chart)
			sb_printf(b, "![stages](chart-stages.png)\n\n");
	}
}

/* Against icount: what the benchmark loops add to the traced totals. */
static void report_icount(struct strbuf *b, const struct trace_arch *arch,
			  struct trace_setting **ok, int nok)
{
	int setup = nok ? ok[0]->setup : 0;

	if (nok && ok[0]->syscall_bench_extra >= 0)
		sb_printf(b, "## Against icount\n\n"
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
		sb_printf(b, "## Against icount\n\n"
			  "icount counts the same paths inside a benchmark loop. For the system call\n"
			  "that includes the %d register set-up instructions the wrapper puts before\n"
			  "`%s` (the loop repeats them), so icount should be the traced total plus\n"
			  "%d; for the in-kernel call and the function call, exactly the traced total.\n",
			  setup, arch->syscall_insn, setup);
	if (nok && trace_has_path(arch, P_SVC32) && ok[0]->svc32_bench_extra >= 0)
		sb_printf(b, "For the AArch32 `svc` (icount's `lab_null_svc32`), what bench_user32's\n"
			  "loop repeats besides the path, read from its code (`batch_lab_null_svc32()`,\n"
			  "Thumb-2, less `batch_empty`'s loop): %d instructions, the number in r7 and\n"
			  "the four arguments (the call site `lab_call_site_svc32()` has %d set-up\n"
			  "instructions, a push and pop of r7 among them, which the loop keeps out).\n",
			  ok[0]->svc32_bench_extra, ok[0]->svc32_setup);
	/* one bench_batch for every setting: its loop is read once each */
	if (nok && ok[0]->bench_extra >= 0)
		sb_printf(b, "For `lab_batch()` (icount's `batch_lab_batch` rows, per record: times\n"
			  "ops for a crossing), what the benchmark's own loop repeats, read from\n"
			  "its code (`batch_lab_batch()` in bench_batch): %d set-up instructions\n"
			  "before `%s`, not the call site's %d (the loop keeps the record\n"
			  "count in a register), and its loop control less the empty loop's\n"
			  "(which the benchmark subtracts), %+d: icount should be the traced total\n"
			  "plus %d.\n",
			  ok[0]->bench_setup, arch->syscall_insn, ok[0]->batch_setup[P_BATCH1],
			  ok[0]->bench_extra - ok[0]->bench_setup, ok[0]->bench_extra);
	else if (nok)
		sb_printf(b, "For `lab_batch()` (icount's `batch_lab_batch` rows), the benchmark's\n"
			  "loop could not be read (%s): the call site's %d set-up instructions\n"
			  "are assumed.\n", ok[0]->bench_note, ok[0]->batch_setup[P_BATCH1]);
}

/* The allowed difference, the rep ends (x86), and the checks themselves. */
static void report_checks(struct strbuf *b, const struct trace_arch *arch, const struct checks *c)
{
	if (arch->arch == ARCH_ARM64)
		sb_printf(b, "Allowed difference: %d instructions, for loop code the compiler may\n"
			  "lay out differently.\n\n"
			  "```\n%s```\n", TOLERANCE, c->lines.s ? c->lines.s : "");
	else
		sb_printf(b, "And icount counts one step more per run of a `rep`-prefixed string\n"
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
}

/* Per function and stage, the ways in, per setting. */
static void report_functions(struct strbuf *b, struct trace_setting **ok, int nok)
{
	const struct trace_arch *arch = ok[0]->arch;

	for (int j = 0; j < nok; j++) {
		sb_printf(b, "\n## Per function, %s path, mitigations %s\n\n",
			  arch->names[P_SYSCALL], ok[j]->mit);
		symbol_table(b, &ok[j]->p[P_SYSCALL]);
	}
	for (int j = 0; j < nok && trace_has_path(arch, P_SVC32); j++) {
		sb_printf(b, "\n## Per function, %s path (AArch32), mitigations %s\n\n",
			  arch->names[P_SVC32], ok[j]->mit);
		symbol_table(b, &ok[j]->p[P_SVC32]);
	}
	for (int j = 0; j < nok && trace_has_path(arch, P_VDSO32); j++) {
		sb_printf(b, "\n## Per function, 32-bit vDSO path, mitigations %s\n\n", ok[j]->mit);
		symbol_table(b, &ok[j]->p[P_VDSO32]);
	}
}

void trace_write_report(const char *out, struct trace_setting *all, int nall,
			 struct trace_setting **ok, int nok, const struct checks *c,
			 bool have_chart)
{
	const struct trace_arch *arch = all[0].arch;
	struct strbuf b = { 0 };
	char *path = xasprintf("%s/report.md", out);

	report_paths(&b, arch);
	report_stages(&b, all, nall, ok, nok, have_chart);
	report_icount(&b, arch, ok, nok);
	report_checks(&b, arch, c);
	if (nok)
		report_functions(&b, ok, nok);
	sb_printf(&b, "\nFull listings (every instruction, address, symbol, stage): "
		  "`*/*.staged` beside this file.\n");
	write_file(path, b.s, b.len);
	sb_free(&b);
	free(path);
}

void trace_print_summary(struct trace_setting *all, int nall, const struct checks *c,
			  const char *out, bool report)
{
	const struct trace_arch *arch = all[0].arch;
	for (int j = 0; j < nall; j++) {
		const struct trace_setting *s = &all[j];
		struct trace_names stages = { 0 };

		printf("mitigations %s:\n", s->mit);
		if (s->failure) {
			printf("  no trace: %s\n", s->failure);
			continue;
		}
		for (int o = 0; o < NPATHS; o++)
			if (trace_has_path(arch, trace_path_order[o]))
				printf("  %-9s %4zu instructions\n", arch->names[trace_path_order[o]],
				       s->p[trace_path_order[o]].n);
		for (size_t i = 0; i < s->p[P_SYSCALL].n; i++)
			trace_names_add(&stages, s->p[P_SYSCALL].v[i].stage);
		for (size_t k = 0; k < stages.n; k++)
			printf("      %-32s %4zu\n", stages.v[k],
			       trace_count_stage(&s->p[P_SYSCALL], stages.v[k]));
		free(stages.v);
		/* the second way in, staged: x86's 32-bit vDSO, arm64's AArch32 svc */
		for (int p = P_VDSO32; p <= P_SVC32; p++) {
			if (!trace_has_path(arch, p))
				continue;
			stages = (struct trace_names){ 0 };
			for (size_t i = 0; i < s->p[p].n; i++)
				trace_names_add(&stages, s->p[p].v[i].stage);
			printf("    %s:\n", arch->names[p]);
			for (size_t k = 0; k < stages.n; k++)
				printf("      %-32s %4zu\n", stages.v[k],
				       trace_count_stage(&s->p[p], stages.v[k]));
			free(stages.v);
		}
		for (int p = 0; p < NPATHS; p++)
			if (s->refills[p])
				printf("  %s: refilled get_random_u16()'s batch, skipped: %s; the next call traced\n",
				       arch->names[p], s->refills[p]);
		printf("  lab_batch: per record (batch4 - batch1) / %d = %g, once per crossing %g\n",
		       BATCH_MORE, trace_per_record(s), (double)s->p[P_BATCH1].n - trace_per_record(s));
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
