/*
 * compare.c: x86_64 beside arm64, from the icount rows of each (compare.h).
 */
#define _GNU_SOURCE
#include "compare.h"

#include <math.h>
#include <string.h>

#define X86(a, p) .abi[SIDE_X86] = a, .path[SIDE_X86] = p
#define ARM(a, p) .abi[SIDE_ARM64] = a, .path[SIDE_ARM64] = p
#define NO_ARM(reason) .why[SIDE_ARM64] = reason

const struct compare_pair compare_pairs[] = {
	{ "the loop and counter alone", X86("x86_64", "empty_loop"), ARM("arm64", "empty_loop") },
	{ "a function call", X86("x86_64", "function_call"), ARM("arm64", "function_call") },
	{ "a call into the lab's library", X86("x86_64", "library_call"), ARM("arm64", "library_call") },
	{ "clock_gettime() in the vDSO", X86("x86_64", "vdso_clock_gettime"),
	  ARM("arm64", "vdso_clock_gettime") },
	{ "getppid(), the native instruction (syscall / svc)", X86("x86_64", "getppid_syscall"),
	  ARM("arm64", "getppid_svc") },
	{ "a number with no entry (-ENOSYS)", X86("x86_64", "ni_syscall"), ARM("arm64", "ni_syscall") },
	{ "lab_null() through glibc's syscall(2)", X86("x86_64", "lab_null_glibc"),
	  ARM("arm64", "lab_null_glibc") },
	{ "lab_null(), the native instruction (syscall / svc)", X86("x86_64", "lab_null_syscall"),
	  ARM("arm64", "lab_null_svc") },
	{ "lab_transform(), 64 bytes", X86("x86_64", "lab_transform_64B"),
	  ARM("arm64", "lab_transform_64B") },
	{ "lab_transform(), 4 KiB", X86("x86_64", "lab_transform_4KiB"),
	  ARM("arm64", "lab_transform_4KiB") },
	{ "lab_sysinfo(), the native entry (syscall / svc)", X86("x86_64", "lab_sysinfo_syscall"),
	  ARM("arm64", "lab_sysinfo_svc") },
	{ "32-bit: lab_null() through glibc", X86("i386", "lab_null_glibc"), ARM("arm", "lab_null_glibc") },
	{ "32-bit: lab_null(), the trap (int $0x80 / AArch32 svc)", X86("i386", "lab_null_int80_32"),
	  ARM("arm", "lab_null_svc32") },
	{ "32-bit: lab_sysinfo(), the compat entry (int $0x80 / AArch32 svc)",
	  X86("i386", "lab_sysinfo_int80_32"), ARM("arm", "lab_sysinfo_svc32") },
	{ "32-bit: lab_null() through the vDSO's __kernel_vsyscall", X86("i386", "lab_null_vdso32"),
	  NO_ARM("AArch32 has one way in, svc; its vDSO has no system call entry") },
	{ "32-bit: getppid(), the fast way (vDSO sysenter / svc)", X86("i386", "getppid_vdso32"),
	  ARM("arm", "getppid_svc32") },
	{ "in the kernel: the loop alone", X86("kernel", "kernel_empty_loop"),
	  ARM("kernel", "kernel_empty_loop") },
	{ "in the kernel: a function call", X86("kernel", "kernel_function_call"),
	  ARM("kernel", "kernel_function_call") },
	{ "in the kernel: ksys_lab_null() called directly", X86("kernel", "kernel_direct"),
	  ARM("kernel", "kernel_direct") },
	{ "in the kernel: through the table, sys_call_table[nr](regs)",
	  X86("kernel", "kernel_sys_call_table"), ARM("kernel", "kernel_sys_call_table") },
	{ "in the kernel: through x64_sys_call(regs, nr)", X86("kernel", "kernel_x64_sys_call"),
	  NO_ARM("arm64 dispatches through its table, in invoke_syscall()") },
	{ "in the kernel: lab_transform's body, 64 bytes", X86("kernel", "kernel_transform_64B"),
	  ARM("kernel", "kernel_transform_64B") },
	/* The calls added with make new-syscall: their rows' three pairs (the
	 * arguments unused here). */
#define LAB_OWN_CALL(name, args)                                                          \
	{ #name "(), the native instruction (syscall / svc)", X86("x86_64", #name "_syscall"), \
	  ARM("arm64", #name "_svc") },                                                   \
	{ "32-bit: " #name "(), the trap (int $0x80 / AArch32 svc)",                      \
	  X86("i386", #name "_int80_32"), ARM("arm", #name "_svc32") },                  \
	{ "in the kernel: ksys_" #name "()", X86("kernel", "kernel_" #name),             \
	  ARM("kernel", "kernel_" #name) },
#include "lab_own_calls.h"
#undef LAB_OWN_CALL
};
const size_t compare_npairs = sizeof(compare_pairs) / sizeof(*compare_pairs);
_Static_assert(sizeof(compare_pairs) / sizeof(*compare_pairs) <= COMPARE_MAX,
	       "more pairs than struct compare holds");

static const char *const side_names[SIDE_COUNT] = { "x86_64", "arm64" };
static const char *const mit_names[MIT_COUNT] = { "default", "off" };

void compare_build(struct compare *c, const struct rows *rows[SIDE_COUNT][MIT_COUNT])
{
	memset(c, 0, sizeof(*c));
	for (size_t p = 0; p < compare_npairs; p++) {
		const struct compare_pair *q = &compare_pairs[p];

		for (int s = 0; s < SIDE_COUNT; s++) {
			for (int m = 0; m < MIT_COUNT; m++) {
				const struct row *r = NULL;

				if (!q->path[s]) {
					c->cell[s][m][p] = CELL_NONE;
					continue;
				}
				if (rows[s][m])
					r = rows_find(rows[s][m], q->abi[s], q->path[s], 0);
				if (r && !strcmp(r->mode, "icount")) {
					c->cell[s][m][p] = row_value(r, ST_MEDIAN);
				} else {
					c->cell[s][m][p] = CELL_MISSING;
					c->missing++;
				}
			}
		}
	}
}

static void cell_text(char *buf, size_t n, double v)
{
	if (v == CELL_NONE)
		snprintf(buf, n, "none");
	else if (v == CELL_MISSING)
		snprintf(buf, n, "MISSING");
	else if (fabs(v - round(v)) < 0.05)
		snprintf(buf, n, "%.0f", v);
	else	/* a batch's loop or a refill shared among its calls */
		snprintf(buf, n, "%.1f", v);
}

/* arm64 over x86_64, with the default mitigations, or "" */
static void ratio_text(char *buf, size_t n, const struct compare *c, size_t p)
{
	double x = c->cell[SIDE_X86][MIT_DEFAULT][p], a = c->cell[SIDE_ARM64][MIT_DEFAULT][p];

	if (x > 0 && a >= 0)
		snprintf(buf, n, "%.2f", a / x);
	else
		snprintf(buf, n, "-");
}

/* One pair's figures as text: x86 default, x86 off, arm64 default, arm64
 * off, arm64 over x86. */
struct pair_text {
	char cell[SIDE_COUNT][MIT_COUNT][24], ratio[24];
};

static struct pair_text pair_text(const struct compare *c, size_t p)
{
	struct pair_text t;

	for (int s = 0; s < SIDE_COUNT; s++)
		for (int m = 0; m < MIT_COUNT; m++)
			cell_text(t.cell[s][m], sizeof(t.cell[s][m]), c->cell[s][m][p]);
	ratio_text(t.ratio, sizeof(t.ratio), c, p);
	return t;
}

/* The table, in format (five figures after the pair's name). */
static void pairs_table(FILE *f, const struct compare *c, const char *format)
{
	for (size_t p = 0; p < compare_npairs; p++) {
		struct pair_text t = pair_text(c, p);

		fprintf(f, format, compare_pairs[p].what, t.cell[SIDE_X86][MIT_DEFAULT],
			t.cell[SIDE_X86][MIT_OFF], t.cell[SIDE_ARM64][MIT_DEFAULT],
			t.cell[SIDE_ARM64][MIT_OFF], t.ratio);
	}
}

void compare_print(FILE *f, const struct compare *c)
{
	fprintf(f, "%-58s %9s %9s %9s %9s %7s\n", "guest instructions per call (icount)",
		"x86 def", "x86 off", "arm64 def", "arm64 off", "a/x");
	pairs_table(f, c, "%-58s %9s %9s %9s %9s %7s\n");
}

void compare_markdown(FILE *f, const struct compare *c, const char *x86_cpu,
		      const char *arm64_cpu)
{
	fprintf(f, "# x86_64 beside arm64\n\n");
	fprintf(f, "Guest instructions per call, exact: each architecture's icount boots "
		   "(QEMU `-icount shift=0`; x86_64 guest CPU: %s; arm64 guest CPU: %s), the "
		   "median of each row, with the kernel's default mitigations and with "
		   "`mitigations=off`. The same lab kernel source, the same family, the same "
		   "benchmark loops; a/x is arm64 over x86_64 with the defaults. Instructions "
		   "are not time: an instruction that writes a system register (KPTI's TTBR "
		   "switch, x86's CR3 write) counts one here.\n\n",
		x86_cpu[0] ? x86_cpu : "unknown", arm64_cpu[0] ? arm64_cpu : "unknown");
	fprintf(f, "| what | x86_64 | x86_64, off | arm64 | arm64, off | a/x |\n");
	fprintf(f, "|---|---:|---:|---:|---:|---:|\n");
	pairs_table(f, c, "| %s | %s | %s | %s | %s | %s |\n");
	fprintf(f, "\nThe rows behind each line:\n\n");
	for (size_t p = 0; p < compare_npairs; p++) {
		const struct compare_pair *q = &compare_pairs[p];

		fprintf(f, "- %s:", q->what);
		for (int s = 0; s < SIDE_COUNT; s++) {
			if (q->path[s])
				fprintf(f, " %s `%s/%s`", side_names[s], q->abi[s], q->path[s]);
			else
				fprintf(f, " %s none (%s)", side_names[s], q->why[s]);
			fprintf(f, "%s", s + 1 < SIDE_COUNT ? ";" : "\n");
		}
	}
}

json_t *compare_json(const struct compare *c)
{
	json_t *a = json_array();

	for (size_t p = 0; p < compare_npairs; p++) {
		const struct compare_pair *q = &compare_pairs[p];
		json_t *o = json_pack("{s:s}", "what", q->what);

		for (int s = 0; s < SIDE_COUNT; s++) {
			json_t *side = json_object();

			if (q->path[s]) {
				json_object_set_new(side, "row", json_sprintf("%s/%s", q->abi[s], q->path[s]));
				for (int m = 0; m < MIT_COUNT; m++) {
					double v = c->cell[s][m][p];

					json_object_set_new(side, mit_names[m],
							    v >= 0 ? json_real(v) : json_null());
				}
			} else {
				json_object_set_new(side, "none", json_string(q->why[s]));
			}
			json_object_set_new(o, side_names[s], side);
		}
		json_array_append_new(a, o);
	}
	return json_pack("{s:s, s:s, s:o}", "schema", "lab-compare/1", "unit",
			 "guest instructions per call (icount median)", "pairs", a);
}
