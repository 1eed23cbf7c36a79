/*
 * trace_model.c: lab trace's model (trace_model.h). What lab_trace.py
 * wrote (trace.json) loaded into a struct trace_setting, every
 * instruction given its stage, icount's rows for the same paths read from
 * the icount run, and the checks: the traced totals plus what the
 * benchmark's loop repeats against icount's, every instruction named, every
 * stage seen, a batch's record costing something. No boots, no writing:
 * trace.c runs the boots, trace_write.c writes the listings, the report,
 * the chart and the summary. Tested on recorded traces (tests/host/test_trace.c).
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "run.h"
#include "trace_model.h"
#include "util.h"

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

const struct trace_arch trace_arches[TRACE_NARCHES] = {
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

/*
 * The row's ops (include/lab/lab_row.h's curve rows: operations per crossing,
 * figures per operation; 0 for every other row): for the batch paths, the
 * records their lab_batch() carries. A crossing is the median times ops.
 */
const unsigned int trace_icount_ops[NPATHS] = { 0, 0, 0, 1, 4, 0, 0, 0 };

/* The order of the chart's bars and the summary's lines. */
const int trace_path_order[NPATHS] = {
	P_SYSCALL, P_SVC32, P_INT80, P_VDSO32, P_BATCH1, P_BATCH4, P_KERNEL, P_FUNCTION,
};

static bool syscall_like(int p)
{
	return p == P_SYSCALL || p == P_BATCH1 || p == P_BATCH4 || p == P_INT80 ||
	       p == P_VDSO32 || p == P_SVC32;
}


/* ---- stages ------------------------------------------------------------ */

/* The symbol without its +0xOFFSET. */
char *trace_symbol_base(const char *sym)
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
void trace_stage_path(const struct trace_arch *arch, struct trace_path *p, int which)
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
		char *base = trace_symbol_base(p->v[i].sym);
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

size_t trace_names_add(struct trace_names *ns, const char *s)
{
	for (size_t i = 0; i < ns->n; i++)
		if (!strcmp(ns->v[i], s))
			return i;
	ns->v = xrealloc(ns->v, (ns->n + 1) * sizeof(*ns->v));
	ns->v[ns->n] = s;
	return ns->n++;
}

size_t trace_count_stage(const struct trace_path *p, const char *stage)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++)
		n += !strcmp(p->v[i].stage, stage);
	return n;
}


/* An integer member of o, or dflt. */
static int int_or(json_t *o, const char *key, int dflt)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int)json_integer_value(v) : dflt;
}

/* The batch and int80 call sites' set-up. */
static char *load_batch_sites(struct trace_setting *s, json_t *sites, const char *path)
{
	const struct trace_arch *arch = s->arch;

	for (int p = P_BATCH1; p <= P_INT80; p++) {
		json_t *site = trace_has_path(arch, p) ? json_object_get(sites, arch->names[p]) : NULL;

		if (!trace_has_path(arch, p))
			continue;
		if (!json_is_integer(json_object_get(site, "setup")))
			return xasprintf("%s: no %s call site", path, arch->names[p]);
		s->batch_setup[p] = (int)json_integer_value(json_object_get(site, "setup"));
	}
	return NULL;
}

/* arm64: bench_user's loop of the null system call, as read; the AArch32
 * svc's site, bench_user32's loop of it. */
static char *load_syscall_sites(struct trace_setting *s, json_t *sites, const char *path)
{
	const struct trace_arch *arch = s->arch;
	json_t *site = json_object_get(sites, arch->names[P_SYSCALL]);
	json_t *note = json_object_get(site, "bench_note");
	json_t *bench = json_object_get(site, "bench");

	s->syscall_bench_extra = int_or(bench, "extra", -1);
	if (!json_is_integer(json_object_get(bench, "extra")) && json_is_string(note))
		s->syscall_bench_note = xstrdup(json_string_value(note));
	if (!trace_has_path(arch, P_SVC32))
		return NULL;
	site = json_object_get(sites, arch->names[P_SVC32]);
	note = json_object_get(site, "bench_note");
	if (!json_is_integer(json_object_get(site, "setup")))
		return xasprintf("%s: no %s call site", path, arch->names[P_SVC32]);
	s->svc32_setup = (int)json_integer_value(json_object_get(site, "setup"));
	bench = json_object_get(site, "bench");
	s->svc32_bench_extra = int_or(bench, "extra", -1);
	if (!json_is_integer(json_object_get(bench, "extra")))
		s->svc32_bench_note = xstrdup(json_is_string(note) ? json_string_value(note)
					      : "lab_trace.py did not read bench_user32's loop");
	return NULL;
}

/* Per path, the calls skipped for a refill of get_random_u16()'s batch. */
static void load_refills(struct trace_setting *s, json_t *sites)
{
	const struct trace_arch *arch = s->arch;

	for (int p = 0; p < NPATHS; p++) {
		json_t *site = trace_has_path(arch, p) ? json_object_get(sites, arch->names[p]) : NULL;
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
}

/* The instructions of the functions the vDSO call site's set-up called:
 * those in a function other than the call site's own (run: its rows). */
static void load_vdso_callees(struct trace_setting *s, json_t *run)
{
	struct strbuf cn = { 0 };
	size_t i;
	json_t *row;

	s->vdso_setup_run = (int)json_array_size(run);
	s->vdso_callees = 0;
	json_array_foreach(run, i, row) {
		const char *sym = json_string_value(json_array_get(row, 1));
		char *base = trace_symbol_base(sym ? sym : "?");
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
}

/* The 32-bit vDSO's call site and bench_user32's loop of it (x86). */
static char *load_vdso_site(struct trace_setting *s, json_t *sites, const char *path)
{
	json_t *v = json_object_get(sites, "vdso32");
	json_t *run = json_object_get(v, "setup_run");
	json_t *bench = json_object_get(v, "bench");
	json_t *note = json_object_get(v, "bench_note");

	if (!trace_has_path(s->arch, P_VDSO32))
		return NULL;
	if (!json_is_integer(json_object_get(v, "setup")) || !json_is_array(run))
		return xasprintf("%s: no vdso32 call site", path);
	s->vdso_setup = (int)json_integer_value(json_object_get(v, "setup"));
	load_vdso_callees(s, run);
	s->vdso_bench_extra = -1;
	if (json_is_integer(json_object_get(bench, "extra")) &&
	    json_is_integer(json_object_get(bench, "setup"))) {
		s->vdso_bench_extra = (int)json_integer_value(json_object_get(bench, "extra"));
		s->vdso_bench_setup = (int)json_integer_value(json_object_get(bench, "setup"));
	} else {
		s->vdso_note = xstrdup(json_is_string(note) ? json_string_value(note)
				       : "lab_trace.py did not read bench_user32's loop");
	}
	return NULL;
}

/* bench_batch's lab_batch() loop, as lab_trace.py read it. */
static void load_batch_bench(struct trace_setting *s, json_t *sites)
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

/* Every path's rows, [pc, symbol, instruction] each, and whether it was cut off. */
static char *load_paths(struct trace_setting *s, json_t *paths, json_t *cut, const char *path)
{
	const struct trace_arch *arch = s->arch;

	for (int p = 0; p < NPATHS; p++) {
		json_t *rows = trace_has_path(arch, p) ? json_object_get(paths, arch->names[p]) : NULL;
		size_t i;
		json_t *row;

		if (!trace_has_path(arch, p))
			continue;
		if (!json_is_array(rows) || !json_array_size(rows))
			return xasprintf("%s: no %s path", path, arch->names[p]);
		s->p[p].cut_off = json_is_true(json_object_get(cut, arch->names[p]));
		s->p[p].v = xcalloc(json_array_size(rows), sizeof(struct trace_insn));
		json_array_foreach(rows, i, row) {
			const char *pc, *sym, *text;

			if (json_unpack(row, "[s,s,s]", &pc, &sym, &text))
				return xasprintf("%s: %s row %zu is no [pc, symbol, instruction]",
						 path, arch->names[p], i + 1);
			s->p[p].v[i] = (struct trace_insn){ xstrdup(pc), xstrdup(sym), xstrdup(text), NULL };
			s->p[p].n = i + 1;
		}
	}
	return NULL;
}

/* trace.json (lab_trace.py's) into s; NULL or why not. */
char *trace_load(struct trace_setting *s, const char *path)
{
	json_error_t err;
	json_t *t = json_load_file(path, 0, &err), *paths, *sites;
	char *why = NULL;

	if (!t)
		return xasprintf("%s: %s", path, err.text);
	sites = json_object_get(t, "sites");
	paths = json_object_get(t, "paths");
	if (!json_is_integer(json_object_get(sites, "setup")) || !json_is_object(paths)) {
		why = xasprintf("%s: no sites or paths", path);
		goto out;
	}
	s->setup = (int)json_integer_value(json_object_get(sites, "setup"));
	why = load_batch_sites(s, sites, path);
	if (!why)
		why = load_syscall_sites(s, sites, path);
	if (why)
		goto out;
	load_refills(s, sites);
	why = load_vdso_site(s, sites, path);
	if (why)
		goto out;
	load_batch_bench(s, sites);
	why = load_paths(s, paths, json_object_get(t, "cut_off"), path);
out:
	json_decref(t);
	return why;
}



/*
 * The runs of rep-prefixed string instructions in a path (a run: one
 * execution, its iterations the rows at the same pc). icount counts one
 * step more for each than single-stepping shows: QEMU's x86 translator
 * (repz_opt) gives a rep instruction a last step with the count at zero
 * under icount, and leaves the loop straight after the last iteration when
 * it is not optimising jumps (a single-stepped guest).
 */
int trace_rep_runs(const struct trace_path *p)
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
int trace_icount_extra(const struct trace_setting *s, int p)
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
double trace_per_record(const struct trace_setting *s)
{
	return ((double)s->p[P_BATCH4].n - (double)s->p[P_BATCH1].n) / BATCH_MORE;
}

static size_t fcount_add(struct trace_fcount **v, size_t *n, const char *fn)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i].fn, fn))
			return i;
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n] = (struct trace_fcount){ xstrdup(fn), { 0, 0 } };
	return (*n)++;
}

/* The functions whose counts differ between batch1 and batch4, in order
 * of first appearance in batch4: where the per-record instructions are. */
struct trace_fcount *trace_batch_diff(const struct trace_setting *s, size_t *nout)
{
	struct trace_fcount *v = NULL;
	size_t n = 0, kept = 0;
	const int which[2] = { P_BATCH1, P_BATCH4 };

	/* from 1: the syscall instructions, one each, are in call sites of
	 * different names */
	for (int w = 1; w >= 0; w--)
		for (size_t i = 1; i < s->p[which[w]].n; i++) {
			char *base = trace_symbol_base(s->p[which[w]].v[i].sym);
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

void trace_free_fcounts(struct trace_fcount *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].fn);
	free(v);
}

/* ---- checks -------------------------------------------------------------- */

/* A setting without a trace: every check fails, with why. */
static void checks_no_trace(struct checks *c, const struct trace_setting *s)
{
	const struct trace_arch *arch = s->arch;
	const char *m = s->mit;

	sb_printf(&c->lines, "# %s\n", s->failure);
	for (int p = 0; p < NPATHS; p++) {
		if (!trace_has_path(arch, p))
			continue;
		check(c, false, "trace %s (%s): traced vs icount %s: no trace",
		      arch->names[p], m, arch->icount_row[p][0]);
		check(c, false, "trace %s (%s): every instruction attributed to a symbol: no trace",
		      arch->names[p], m);
	}
	check(c, false, "trace %s (%s): all six stages seen: no trace",
	      arch->names[P_SYSCALL], m);
	if (trace_has_path(arch, P_SVC32))
		check(c, false, "trace %s (%s): all six stages seen: no trace",
		      arch->names[P_SVC32], m);
	if (trace_has_path(arch, P_VDSO32))
		check(c, false, "trace vdso32 (%s): all seven stages seen: no trace", m);
	check(c, false, "trace batch (%s): per record (batch4 - batch1) / %d > 0: no trace",
	      m, BATCH_MORE);
}

/* What the set-up of path p is, for the check's line. */
static char *setup_note(const struct trace_setting *s, int p)
{
	/* the vDSO's set-up: the loop as written, its callees as run */
	if (p == P_VDSO32 && s->vdso_bench_extra >= 0)
		return xasprintf(" (loop %d + %d in %s as run)", s->vdso_bench_extra,
				 s->vdso_callees, s->vdso_callee_names);
	if (p == P_VDSO32)
		return xstrdup(" (the call site's, as run)");
	if (p == P_SYSCALL && s->syscall_bench_extra >= 0)
		return xstrdup(" (bench_user's loop, as written)");
	if (p == P_SVC32 && s->svc32_bench_extra >= 0)
		return xstrdup(" (bench_user32's loop, as written)");
	return xstrdup("");
}

/* The diagnostics that go right before path p's comparison with icount. */
static void icount_notes(struct checks *c, const struct trace_setting *s, int p,
			 int extra, bool agree)
{
	const struct trace_arch *arch = s->arch;

	if (s->p[p].cut_off)
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
}

/* Path p's total plus its set-up against icount's row. */
static void check_icount(struct checks *c, const struct trace_setting *s, int p)
{
	const struct trace_arch *arch = s->arch;
	const struct trace_path *tp = &s->p[p];
	int extra = trace_icount_extra(s, p), reps = trace_rep_runs(tp);
	char *repnote = reps ? xasprintf(" + %d rep end", reps) : xstrdup("");
	char *setupnote = setup_note(s, p);
	char *row = trace_icount_ops[p] ?
		xasprintf("%s (ops %u) per crossing", arch->icount_row[p][0], trace_icount_ops[p]) :
		xstrdup(arch->icount_row[p][0]);
	/* rounded to milliticks, the rows' unit: no float noise */
	double diff = round((s->icount[p] - (double)tp->n - extra - reps) * 1000) / 1000;
	bool agree = s->have_icount[p] && !tp->cut_off && fabs(diff) <= TOLERANCE;

	/* a diagnostic goes right before the result it explains */
	icount_notes(c, s, p, extra, agree);
	if (s->have_icount[p])
		check(c, agree,
		      "trace %s (%s): %zu traced + %d set-up%s%s vs icount %s %g (difference %g, tolerance %d)",
		      arch->names[p], s->mit, tp->n, extra, setupnote, repnote, row, s->icount[p],
		      diff, TOLERANCE);
	else
		check(c, false, "trace %s (%s): %zu traced + %d set-up%s%s vs icount %s: no such row (abi %s)",
		      arch->names[p], s->mit, tp->n, extra, setupnote, repnote, row,
		      arch->icount_row[p][1]);
	free(row);
	free(repnote);
	free(setupnote);
}

/* Every instruction of path p has a symbol. */
static void check_symbols(struct checks *c, const struct trace_setting *s, int p)
{
	const struct trace_path *tp = &s->p[p];
	size_t unnamed = 0;

	for (size_t i = 0; i < tp->n; i++)
		unnamed += tp->v[i].sym[0] == '?';
	if (unnamed)
		sb_printf(&c->lines, "# %zu instructions without a symbol in %s/%s.staged\n",
			  unnamed, s->dir, s->arch->names[p]);
	check(c, !unnamed, "trace %s (%s): every instruction attributed to a symbol",
	      s->arch->names[p], s->mit);
}

/* The distinct stages of a path. */
static size_t stages_seen(const struct trace_path *tp)
{
	struct trace_names stages = { 0 };
	size_t n;

	for (size_t i = 0; i < tp->n; i++)
		trace_names_add(&stages, tp->v[i].stage);
	n = stages.n;
	free(stages.v);
	return n;
}

/* The ways in have all their stages: six, seven for the 32-bit vDSO. */
static void check_stages(struct checks *c, const struct trace_setting *s)
{
	const struct trace_arch *arch = s->arch;
	size_t n = stages_seen(&s->p[P_SYSCALL]);

	check(c, n == SYSCALL_STAGES, "trace %s (%s): all six stages seen (%zu)",
	      arch->names[P_SYSCALL], s->mit, n);
	if (trace_has_path(arch, P_SVC32)) {
		n = stages_seen(&s->p[P_SVC32]);
		check(c, n == SYSCALL_STAGES, "trace %s (%s): all six stages seen (%zu)",
		      arch->names[P_SVC32], s->mit, n);
	}
	if (trace_has_path(arch, P_VDSO32)) {
		n = stages_seen(&s->p[P_VDSO32]);
		check(c, n == VDSO_STAGES, "trace vdso32 (%s): all seven stages seen (%zu)",
		      s->mit, n);
	}
}

/* A batch's record costs something: batch4 longer than batch1. */
static void check_batch(struct checks *c, const struct trace_setting *s)
{
	size_t t1 = s->p[P_BATCH1].n, t4 = s->p[P_BATCH4].n;
	bool whole = !s->p[P_BATCH1].cut_off && !s->p[P_BATCH4].cut_off;

	if (!whole)
		sb_printf(&c->lines, "# a batch path was cut off after %d instructions\n",
			  MAX_STEPS);
	check(c, whole && t4 > t1 && trace_per_record(s) > 0,
	      "trace batch (%s): per record (batch4 %zu - batch1 %zu) / %d = %g > 0",
	      s->mit, t4, t1, BATCH_MORE, trace_per_record(s));
}

void trace_checks(struct checks *c, const struct trace_setting *s)
{
	if (s->failure) {
		checks_no_trace(c, s);
		return;
	}
	for (int p = 0; p < NPATHS; p++) {
		if (!trace_has_path(s->arch, p))
			continue;
		check_icount(c, s, p);
		check_symbols(c, s, p);
	}
	check_stages(c, s);
	check_batch(c, s);
}


void trace_setting_free(struct trace_setting *s)
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


const struct trace_arch *trace_arch_of(enum lab_arch arch)
{
	for (size_t i = 0; i < TRACE_NARCHES; i++)
		if (trace_arches[i].arch == arch)
			return &trace_arches[i];
	return &trace_arches[0];
}

void trace_stage(struct trace_setting *s)
{
	for (int p = 0; p < NPATHS; p++)
		trace_stage_path(s->arch, &s->p[p], p);
}

void trace_icount_of_run(struct trace_setting *s, const struct run *run)
{
	const struct trace_arch *arch = s->arch;

	for (int p = 0; p < NPATHS; p++)
		for (size_t i = 0; trace_has_path(arch, p) && i < run->rows.n && !s->have_icount[p]; i++) {
			const struct row *w = &run->rows.v[i];

			if (!strcmp(w->path, arch->icount_row[p][0]) &&
			    !strcmp(w->abi, arch->icount_row[p][1]) &&
			    w->ops == trace_icount_ops[p]) {
				/* per operation: a crossing carries ops */
				s->icount[p] = (double)w->stat[ST_MEDIAN] / 1000.0 *
					       (trace_icount_ops[p] ? trace_icount_ops[p] : 1);
				s->have_icount[p] = true;
			}
		}
	if (!s->icount_note && run->nproblems)
		s->icount_note = xasprintf("the icount run: %s", run->problems[0]);
}
