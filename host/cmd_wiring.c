/*
 * lab wiring [--arch x86_64] --kernel BZIMAGE --kobj KOBJ --initrd CPIO
 *            [--guest DIR] --ksrc KSRC --out DIR [--mode M] [--timeout S]
 *            [--check-only]
 * (its options: commands.c; lab wiring --help; x86_64 only)
 * make wiring: the wiring behind a system call, read from the kernel the lab
 * built and booted. Boots the "wiring" plan (kernel_wiring.ko reads the IDT
 * gate of int $0x80, the syscall/sysenter MSRs and sys_call_table[], checks
 * them in KTAP and leaves its facts in /proc/lab_wiring, which the plan copies
 * to the facts port), then prints those facts beside the build's own
 * generated headers and the .tbl lines they came from, and checks them
 * against what the 6.1 source sets up. The checks go to OUT/check.tap
 * (make test reads it); --check-only prints only the count.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "lab_family.h"
#include "lab.h"
#include "proc.h"
#include "util.h"

/* The family's names, in number order (kernel/family.tbl). */
static const char *const family[] = { LAB_FAMILY_NAMES };
#define NFAMILY (sizeof(family) / sizeof(*family))

/* The value at a dotted path ("msr.lstar.symbol") under o, or NULL. */
__attribute__((format(printf, 2, 0)))
static json_t *at(json_t *o, const char *fmt, va_list ap)
{
	char copy[256], *save, *tok;
	json_t *v = o;

	vsnprintf(copy, sizeof(copy), fmt, ap);
	for (tok = strtok_r(copy, ".", &save); tok && v; tok = strtok_r(NULL, ".", &save))
		v = json_object_get(v, tok);
	return v;
}

__attribute__((format(printf, 2, 3)))
static const char *str(json_t *o, const char *fmt, ...)
{
	va_list ap;
	json_t *v;

	va_start(ap, fmt);
	v = at(o, fmt, ap);
	va_end(ap);
	return json_is_string(v) ? json_string_value(v) : "";
}

__attribute__((format(printf, 2, 3)))
static long long num(json_t *o, const char *fmt, ...)
{
	va_list ap;
	json_t *v;

	va_start(ap, fmt);
	v = at(o, fmt, ap);
	va_end(ap);
	return json_is_integer(v) ? json_integer_value(v) : -1;
}

/* The line of text holding needle as a whole word-ish match, or NULL. */
static char *line_with(const char *text, const char *needle, char *buf, size_t size)
{
	const char *p = text;
	size_t n = strlen(needle);

	while (text && (p = strstr(p, needle))) {
		const char *start = p, *end;
		char after = p[n];

		while (start > text && start[-1] != '\n')
			start--;
		end = strchrnul(p, '\n');
		if (after == ')' || after == ' ' || after == '\t' || after == '\n' || !after) {
			snprintf(buf, size, "%.*s", (int)(end - start), start);
			return buf;
		}
		p += n;
	}
	return NULL;
}

/* The number a header line ends on ("#define __NR_x 451") or starts with
 * ("__SYSCALL(451, sys_x)", "451\tcommon\tx\tsys_x"). */
static long nr_of(const char *line)
{
	const char *p;

	if (!line)
		return -1;
	if (!strncmp(line, "#define", 7)) {
		p = strrchr(line, ' ');
		return p ? strtol(p + 1, NULL, 10) : -1;
	}
	p = strchr(line, '(');
	return strtol(p ? p + 1 : line, NULL, 10);
}

/* A generated syscalls_*.h: the table's size, its holes (numbers with no
 * line, and lines naming sys_ni_syscall). */
static void table_of(const char *text, long *size, long *holes)
{
	long max = -1, lines = 0, ni = 0;

	for (const char *p = text; p && (p = strstr(p, "__SYSCALL")); p++) {
		const char *paren = strchr(p, '(');
		long n = paren ? strtol(paren + 1, NULL, 10) : -1;

		if (!paren || paren - p > 24)
			continue;
		lines++;
		max = n > max ? n : max;
		if (strstr(paren, "sys_ni_syscall") && strstr(paren, "sys_ni_syscall") < strchrnul(paren, '\n'))
			ni++;
	}
	*size = max + 1;
	*holes = max + 1 - lines + ni;
}

/* needle within [from, end). */
static bool has_word(const char *from, const char *end, const char *needle)
{
	return memmem(from, (size_t)(end - from), needle, strlen(needle)) != NULL;
}

/*
 * The 32-bit vDSO's __kernel_vsyscall bytes, as the guest read them,
 * disassembled by objdump (-b binary -m i386) into dis; returns the entry
 * instruction the kernel patched in ("sysenter", "syscall", "int"), or "".
 */
static const char *vdso_entry(const char *hex, const char *dir, struct strbuf *dis)
{
	char *bin = xasprintf("%s/vdso32-kernel_vsyscall.bin", dir);
	const char *const argv[] = { "objdump", "-D", "-b", "binary", "-m", "i386", bin, NULL };
	struct strbuf out = { 0 };
	struct proc_io io = { .err = "/dev/null", .capture = &out };
	unsigned char bytes[64];
	size_t n = 0;
	const char *found = "";

	while (hex && n < sizeof(bytes) && sscanf(hex + 2 * n, "%2hhx", &bytes[n]) == 1)
		n++;
	if (!n) {
		free(bin);
		return "";
	}
	write_file(bin, (const char *)bytes, n);
	proc_run(argv, &io, NULL);
	for (char *line = out.s, *end; line && *line; line = end) {
		char *colon;

		end = line + strcspn(line, "\n");
		end += *end == '\n';
		colon = memchr(line, ':', (size_t)(end - line));
		/* the instruction lines: "   0:\t51   \tpush   %ecx" */
		if (!colon || !memchr(line, '\t', (size_t)(end - line)) || line[0] != ' ')
			continue;
		sb_add(dis, line, (size_t)(end - line));
		if (!*found && has_word(colon, end, "\tsysenter"))
			found = "sysenter";
		else if (!*found && has_word(colon, end, "\tsyscall"))
			found = "syscall";
		else if (!*found && has_word(colon, end, "\tint "))
			found = "int";
		if (has_word(colon, end, "\tret"))
			break;
	}
	sb_free(&out);
	free(bin);
	return found;
}

static const struct ktap_test *step(const struct run *r, const char *name)
{
	for (size_t i = 0; r->results && i < r->results->nsub; i++)
		if (!strcmp(r->results->sub[i].name, name))
			return &r->results->sub[i];
	return NULL;
}

/* The build's files the family's numbers are read from (KOBJ/.. or KSRC). */
static const char *const files[] = {
	"lab/arch/x86/include/generated/asm/syscalls_64.h",
	"lab/arch/x86/include/generated/asm/syscalls_32.h",
	"lab/arch/x86/include/generated/uapi/asm/unistd_64.h",
	"lab/arch/x86/include/generated/uapi/asm/unistd_32.h",
	"arch/x86/entry/syscalls/syscall_64.tbl",
	"arch/x86/entry/syscalls/syscall_32.tbl",
	"gen/lab_syscall_nr.h",
};
#define NFILES 7

/* The sizes of the build's tables (syscalls_64.h, syscalls_32.h). */
struct tables {
	long size64, holes64, size32, holes32;
};

/* The build's files: KOBJ's parent holds lab/ and gen/; KSRC the .tbl ones. */
static void read_build(const struct lab_opts *o, char *text[NFILES], struct checks *c)
{
	for (int i = 0; i < NFILES; i++) {
		char *path = i == 4 || i == 5 ? xasprintf("%s/%s", o->ksrc, files[i]) :
				 xasprintf("%s/../%s", o->kobj, files[i]);

		text[i] = read_file(path, NULL);
		if (!text[i])
			check(c, CHECK_FAIL, "the build's %s is readable", path);
		free(path);
	}
}

/* The IDT, the MSRs and the dispatch tables, printed. */
static void print_wiring(json_t *f, const char *dir, const struct tables *t)
{
	printf("\nlogs  %s/: console.log, ktap.txt (kernel_wiring.ko's checks), facts.jsonl\n", dir);
	printf("\n--- the IDT (store_idt(), read by kernel_wiring.ko)\n");
	for (int i = 0; i < 2; i++) {
		const char *v = i ? "idt.0x0e" : "idt.0x80";

		printf("    vector %s  type %lld (%s), DPL %lld, selector %s, handler %s %s\n",
		       v + 4, num(f, "%s.type", v),
		       num(f, "%s.type", v) == 14 ? "interrupt gate" : "?",
		       num(f, "%s.dpl", v), str(f, "%s.selector", v),
		       str(f, "%s.handler", v), str(f, "%s.symbol", v));
	}
	printf("\n--- the MSRs (rdmsr, CPU vendor %s)\n", str(f, "msr.vendor"));
	printf("    LSTAR         %s  %s  (64-bit syscall)\n", str(f, "msr.LSTAR.value"), str(f, "msr.LSTAR.symbol"));
	printf("    CSTAR         %s  %s  (32-bit syscall%s)\n", str(f, "msr.CSTAR.value"), str(f, "msr.CSTAR.symbol"),
	       *str(f, "msr.CSTAR_note") ? "; not written on Intel, which has none" : "");
	printf("    STAR          %s  syscall loads CS %s (SS +8); sysret base %s (32-bit CS = base, SS = base+8, 64-bit CS = base+16)\n",
	       str(f, "msr.STAR.value"), str(f, "msr.STAR.syscall_cs"), str(f, "msr.STAR.sysret_base"));
	printf("    SYSCALL_MASK  %s  cleared on entry:", str(f, "msr.SYSCALL_MASK.value"));
	for (size_t i = 0; i < json_array_size(json_object_get(json_object_get(json_object_get(f, "msr"), "SYSCALL_MASK"), "flags")); i++)
		printf(" %s", json_string_value(json_array_get(json_object_get(json_object_get(json_object_get(f, "msr"), "SYSCALL_MASK"), "flags"), i)));
	printf("\n    SYSENTER_CS   %s\n    SYSENTER_ESP  %s  (the CPU's entry stack, cpu_entry_area)\n    SYSENTER_EIP  %s  %s\n",
	       str(f, "msr.SYSENTER_CS"), str(f, "msr.SYSENTER_ESP.value"),
	       str(f, "msr.SYSENTER_EIP.value"), str(f, "msr.SYSENTER_EIP.symbol"));
	printf("\n--- dispatch\n");
	printf("    x86_64  NR_syscalls %lld, %lld holes (-> %s, ENOSYS), %lld implemented  [sys_call_table, read in the guest]\n",
	       num(f, "x86_64.nr_syscalls"), num(f, "x86_64.holes"), str(f, "x86_64.ni_symbol"), num(f, "x86_64.implemented"));
	printf("            from the build's syscalls_64.h: size %ld, %ld holes\n", t->size64, t->holes64);
	printf("            nr %lld (one past the end): x64_sys_call() returns %lld (-ENOSYS is -38)\n",
	       num(f, "x86_64.past_end.nr"), num(f, "x86_64.past_end.x64_sys_call"));
	printf("    i386    IA32_NR_syscalls %lld [the module, compile time]; syscalls_32.h: size %ld, %ld holes [the build; ia32_sys_call_table is not exported]\n",
	       num(f, "ia32_nr_syscalls"), t->size32, t->holes32);
	printf("\n--- the family: .tbl line -> generated header -> number in user space\n");
}

/* The family's numbers, file by file (printed unless check_only), and
 * each one's sys_call_table[] entry checked; whether the numbers agree. */
static bool family_numbers(struct checks *c, json_t *f, char *text[NFILES], bool check_only)
{
	char buf[256], lines[NFILES][256];
	const char *sym;
	bool ok = true;

	for (size_t i = 0; i < NFAMILY; i++) {
		char needle[96];
		long nrs[7], guest;

		snprintf(needle, sizeof(needle), "sys_%s", family[i]);
		line_with(text[0], needle, lines[0], sizeof(lines[0]));
		line_with(text[1], needle, lines[1], sizeof(lines[1]));
		line_with(text[4], needle, lines[4], sizeof(lines[4]));
		line_with(text[5], needle, lines[5], sizeof(lines[5]));
		snprintf(needle, sizeof(needle), "__NR_%s", family[i]);
		line_with(text[2], needle, lines[2], sizeof(lines[2]));
		line_with(text[3], needle, lines[3], sizeof(lines[3]));
		snprintf(needle, sizeof(needle), "LAB_NR64_%s", family[i]);
		line_with(text[6], needle, lines[6], sizeof(lines[6]));
		for (int j = 0; j < 7; j++)
			nrs[j] = nr_of(lines[j]);
		guest = num(f, "x86_64.family.%s.nr", family[i]);
		sym = str(f, "x86_64.family.%s.symbol", family[i]);
		if (!check_only) {
			printf("    %s\n", family[i]);
			printf("      syscall_64.tbl  %s\n      syscalls_64.h   %s\n      unistd_64.h     %s\n      lab_syscall_nr.h %s\n",
			       lines[4], lines[0], lines[2], lines[6]);
			printf("      syscall_32.tbl  %s\n      syscalls_32.h   %s\n      unistd_32.h     %s\n",
			       lines[5], lines[1], lines[3]);
			printf("      sys_call_table[%ld] -> %s  [in the guest]\n", guest, sym);
		}
		if (nrs[0] != nrs[2] || nrs[2] != nrs[4] || nrs[2] != nrs[6] ||
		    nrs[2] != guest || nrs[1] != nrs[3] || nrs[3] != nrs[5] || nrs[2] < 0 || nrs[3] < 0)
			ok = false;
		snprintf(buf, sizeof(buf), "__x64_sys_%s", family[i]);
		snprintf(needle, sizeof(needle), "__do_sys_%s", family[i]);
		check(c, !strcmp(sym, buf) || !strcmp(sym, needle),
		      "sys_call_table[%ld] resolves to %s's wrapper (__x64_sys_%s, or __do_sys_%s at the same address): %s",
		      guest, family[i], family[i], family[i], *sym ? sym : "nothing");
	}
	return ok;
}

/* The 32-bit vDSO's entry instruction against the CPU's vendor. */
static void vdso_check(struct checks *c, const struct run *r, json_t *f, const char *out,
		       bool check_only)
{
	struct strbuf dis = { 0 };
	const char *entry = vdso_entry(str(f ? r->facts : NULL, "vdso32.bytes"), out, &dis);
	const char *vendor = str(f, "msr.vendor");
	bool intel = !strcmp(vendor, "GenuineIntel");

	if (!check_only) {
		printf("\n--- the 32-bit vDSO's __kernel_vsyscall (AT_SYSINFO %s, image AT_SYSINFO_EHDR %s; bytes read in the guest, objdump -b binary -m i386 on the host)\n",
		       str(r->facts, "vdso32.sysinfo"), str(r->facts, "vdso32.sysinfo_ehdr"));
		for (char *l = dis.s, *e; l && *l; l = e + 1) {
			e = strchrnul(l, '\n');
			printf("    %.*s\n", (int)(e - l), l);
			if (!*e)
				break;
		}
		printf("    entry instruction here (%s): %s; on %s it would be %s\n", vendor,
		       *entry ? entry : "not found", intel ? "AMD" : "Intel",
		       intel ? "syscall (X86_FEATURE_SYSCALL32)" : "sysenter (X86_FEATURE_SYSENTER32)");
	}
	check(c, !strcmp(entry, intel ? "sysenter" : "syscall"),
	      "the 32-bit vDSO enters with %s on this %s CPU (alternatives in vdso32/system_call.S): %s",
	      intel ? "sysenter" : "syscall", vendor, *entry ? entry : "nothing found");
	sb_free(&dis);
}

/* The guest's facts against the 6.1 source and the build's tables. */
static void fact_checks(struct checks *c, const struct run *r, json_t *f,
			const struct tables *t, bool nr_ok)
{
	const struct ktap_test *mod;
	const char *intel;

	mod = step(r, "kernel_wiring.ko");
	check(c, mod && mod->result == KTAP_PASS, "kernel_wiring.ko's own checks passed (ktap.txt)");
	check(c, f != NULL, "the guest's wiring facts arrived (facts.jsonl)");
	check(c, !strcmp(str(f, "idt.0x80.symbol"), "asm_int80_emulation") && num(f, "idt.0x80.dpl") == 3 &&
	      num(f, "idt.0x80.type") == 14,
	      "vector 0x80: interrupt gate, DPL 3, handler asm_int80_emulation (6.1.192's int80 entry; entry_INT80_compat before the int80 emulation fix): %s",
	      str(f, "idt.0x80.symbol"));
	check(c, num(f, "idt.0x0e.dpl") == 0 && !strcmp(str(f, "idt.0x0e.symbol"), "asm_exc_page_fault"),
	      "vector 0x0e: DPL 0 (user mode may not raise it), handler asm_exc_page_fault");
	check(c, !strcmp(str(f, "msr.LSTAR.symbol"), "entry_SYSCALL_64"), "MSR_LSTAR resolves to entry_SYSCALL_64");
	intel = str(f, "msr.vendor");
	if (!strcmp(intel, "GenuineIntel"))
		check(c, !strcmp(str(f, "msr.CSTAR.value"), "0x0"),
		      "MSR_CSTAR is 0 on Intel (syscall_init() writes entry_SYSCALL_compat only on other vendors)");
	else
		check(c, !strcmp(str(f, "msr.CSTAR.symbol"), "entry_SYSCALL_compat"), "MSR_CSTAR resolves to entry_SYSCALL_compat");
	check(c, !strcmp(str(f, "msr.SYSENTER_EIP.symbol"), "entry_SYSENTER_compat"),
	      "MSR_IA32_SYSENTER_EIP resolves to entry_SYSENTER_compat");
	check(c, num(f, "x86_64.holes") + num(f, "x86_64.implemented") == num(f, "x86_64.nr_syscalls") &&
	      num(f, "x86_64.nr_syscalls") == t->size64,
	      "x86_64: holes + implemented == NR_syscalls (%lld) == the size of syscalls_64.h's table (%ld)",
	      num(f, "x86_64.nr_syscalls"), t->size64);
	check(c, num(f, "x86_64.holes") == t->holes64,
	      "x86_64: the holes found by address in the guest (%lld) == those in syscalls_64.h (%ld)",
	      num(f, "x86_64.holes"), t->holes64);
	check(c, num(f, "ia32_nr_syscalls") == t->size32,
	      "i386: IA32_NR_syscalls (%lld) == the size of syscalls_32.h's table (%ld)",
	      num(f, "ia32_nr_syscalls"), t->size32);
	check(c, num(f, "x86_64.past_end.x64_sys_call") == -38, "x86_64: one past the end, x64_sys_call() returns -ENOSYS");
	check(c, nr_ok, "the family's numbers agree: .tbl == generated syscalls_*.h == uapi unistd_*.h == lab_syscall_nr.h == the guest's table");
}

int cmd_wiring(int argc, char **argv)
{
	struct lab_opts o;
	struct boot_opts b;
	struct boot_result br;
	struct checks c = { 0 };
	struct tables t;
	struct run *r;
	json_t *f;
	char *dir, *tap, *probe, *text[NFILES], *doc;
	bool nr_ok;

	lab_parse_or_exit(&lab_cmd_wiring, argc, argv, &o, NULL);
	lab_lock(o.out);
	probe = lab_probe_path(o.out);
	o.probe_cache = probe;
	boot_install_signals();
	dir = xasprintf("%s/run", o.out);
	tap = xasprintf("%s/check.tap", o.out);
	say("booting the lab kernel (plan wiring, mode: %s)", mode_name(o.mode));
	b = lab_boot_opts(&o, "wiring", dir);
	if (lab_boot(&b, &br))
		die("%s; console log: %s/console.log", br.reason, dir);
	r = lab_load_run(dir);
	f = r->facts ? json_object_get(r->facts, "wiring") : NULL;

	read_build(&o, text, &c);
	table_of(text[0], &t.size64, &t.holes64);
	table_of(text[1], &t.size32, &t.holes32);
	if (!o.check_only)
		print_wiring(f, dir, &t);
	nr_ok = family_numbers(&c, f, text, o.check_only);
	vdso_check(&c, r, f, o.out, o.check_only);
	fact_checks(&c, r, f, &t, nr_ok);

	doc = checks_ktap(&c);
	write_file(tap, doc, strlen(doc));
	if (!o.check_only)
		printf("\n--- checks (%s)\n%s", tap, doc);
	printf("\n%u checks, %u failed\n", c.n, c.failed);
	free(doc);
	for (int i = 0; i < NFILES; i++)
		free(text[i]);
	run_free(r);
	free(dir);
	free(probe);
	free(tap);
	return c.failed ? 1 : 0;
}
