// SPDX-License-Identifier: GPL-2.0-only
/*
 * kernel_wiring: the wiring behind a system call, read from the running
 * kernel.
 *
 * Reads the IDT gate of vector 0x80 (and of 0x0e, which user mode may not
 * raise), the syscall/sysenter MSRs and the x86_64 dispatch table, checks
 * each against what the 6.1 source sets up (arch/x86/kernel/idt.c,
 * syscall_init() in arch/x86/kernel/cpu/common.c), reports the checks as
 * KTAP in the kernel log (a failed check fails the load, as kstm_report()
 * makes it) and serves the facts as one JSON object in /proc/lab_wiring.
 */
#define pr_fmt(fmt) fmt	/* KTAP: the lines go to the log as they are */

#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/syscalls.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/syscall.h>
#include <asm/unistd.h>

#include "lab_family.h"

#define JSON_MAX	8192

static char *json;
static size_t json_len;
static unsigned int checks, failed;

static __printf(1, 2) void emit(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	json_len += vscnprintf(json + json_len, JSON_MAX - json_len, fmt, ap);
	va_end(ap);
}

static void check(bool ok, const char *what)
{
	checks++;
	if (!ok)
		failed++;
	pr_info("%sok %u %s\n", ok ? "" : "not ", checks, what);
}

/* the symbol an address resolves to, without offset ("" if none) */
static void sym_of(unsigned long addr, char *buf)
{
	char *plus;

	sprint_symbol(buf, addr);
	if (!strncmp(buf, "0x", 2)) {	/* no symbol: kallsyms printed the address */
		buf[0] = '\0';
		return;
	}
	plus = strchr(buf, '+');
	if (plus && !strncmp(plus, "+0x0/", 5))
		*plus = '\0';
}

static void read_gate(unsigned int vec, const char *handler, unsigned int dpl)
{
	struct desc_ptr idt;
	gate_desc g;
	unsigned long addr;
	char sym[KSYM_SYMBOL_LEN], what[160];

	store_idt(&idt);
	memcpy(&g, (void *)idt.address + vec * sizeof(g), sizeof(g));
	addr = gate_offset(&g);
	sym_of(addr, sym);
	emit("%s\"0x%02x\":{\"type\":%u,\"dpl\":%u,\"present\":%u,\"ist\":%u,\"selector\":\"0x%04x\",\"handler\":\"0x%lx\",\"symbol\":\"%s\"}",
	     vec == 0x80 ? "" : ",", vec, g.bits.type, g.bits.dpl, g.bits.p,
	     g.bits.ist, g.segment, addr, sym);
	snprintf(what, sizeof(what),
		 "idt 0x%02x: interrupt gate (type 14), DPL %u, selector __KERNEL_CS, handler %s",
		 vec, dpl, handler);
	check(g.bits.type == GATE_INTERRUPT && g.bits.dpl == dpl &&
	      g.segment == __KERNEL_CS && !strcmp(sym, handler), what);
}

static const struct {
	unsigned int bit;
	const char *name;
} rflags[] = {
	{ 0, "CF" }, { 2, "PF" }, { 4, "AF" }, { 6, "ZF" }, { 7, "SF" },
	{ 8, "TF" }, { 9, "IF" }, { 10, "DF" }, { 11, "OF" }, { 12, "IOPL0" },
	{ 13, "IOPL1" }, { 14, "NT" }, { 16, "RF" }, { 17, "VM" },
	{ 18, "AC" }, { 19, "VIF" }, { 20, "VIP" }, { 21, "ID" },
};

/* want: the symbol the MSR must point at, or NULL; low32: the CPU keeps
 * only the low 32 bits of it (the kernel's text is in the top 2 GiB, so
 * the high half is all ones). */
static void msr(const char *name, unsigned int nr, const char *want, bool low32)
{
	char sym[KSYM_SYMBOL_LEN], what[160];
	u64 v = 0;
	int err = rdmsrl_safe(nr, &v);

	sym_of(low32 ? (unsigned long)(v | 0xffffffff00000000ULL) : (unsigned long)v, sym);
	emit(",\"%s\":{\"value\":\"0x%llx\",\"symbol\":\"%s\"}", name, v, sym);
	if (!want)
		return;
	snprintf(what, sizeof(what), "%s resolves to %s%s", name, want,
		 low32 ? " (its low 32 bits: all this CPU keeps)" : "");
	check(!err && !strcmp(sym, want), what);
}

static void read_msrs(void)
{
	bool intel = boot_cpu_data.x86_vendor == X86_VENDOR_INTEL;
	/* AMD's SYSENTER_EIP and _ESP are 32 bits wide (SYSENTER is no way
	 * in from 64-bit mode there), and KVM on AMD keeps them so too: found
	 * by make test-kvm, whose nested CPU is an AMD one */
	bool amd = boot_cpu_data.x86_vendor == X86_VENDOR_AMD ||
		   boot_cpu_data.x86_vendor == X86_VENDOR_HYGON;
	u64 star = 0, mask = 0, cs = 0;
	char what[160];

	emit("},\"msr\":{\"vendor\":\"%s\"", boot_cpu_data.x86_vendor_id);
	msr("LSTAR", MSR_LSTAR, "entry_SYSCALL_64", false);
	/* syscall_init(): Intel has no 32-bit SYSCALL, CSTAR is not written */
	msr("CSTAR", MSR_CSTAR, intel ? NULL : "entry_SYSCALL_compat", false);
	msr("SYSENTER_EIP", MSR_IA32_SYSENTER_EIP, "entry_SYSENTER_compat", amd);
	msr("SYSENTER_ESP", MSR_IA32_SYSENTER_ESP, NULL, false);
	rdmsrl(MSR_STAR, star);
	rdmsrl_safe(MSR_IA32_SYSENTER_CS, &cs);
	emit(",\"SYSENTER_CS\":\"0x%llx\"", cs);
	check(cs == __KERNEL_CS, "SYSENTER_CS is __KERNEL_CS");
	emit(",\"STAR\":{\"value\":\"0x%llx\",\"syscall_cs\":\"0x%llx\",\"sysret_base\":\"0x%llx\"}",
	     star, (star >> 32) & 0xffff, star >> 48);
	snprintf(what, sizeof(what),
		 "STAR: syscall loads CS 0x%x (__KERNEL_CS), sysret base 0x%x (__USER32_CS)",
		 __KERNEL_CS, __USER32_CS);
	check(((star >> 32) & 0xffff) == __KERNEL_CS &&
	      (star >> 48) == __USER32_CS, what);
	rdmsrl(MSR_SYSCALL_MASK, mask);
	emit(",\"SYSCALL_MASK\":{\"value\":\"0x%llx\",\"flags\":[", mask);
	for (size_t i = 0, n = 0; i < ARRAY_SIZE(rflags); i++)
		if (mask & BIT_ULL(rflags[i].bit))
			emit("%s\"%s\"", n++ ? "," : "", rflags[i].name);
	emit("]}");
	check((mask & (X86_EFLAGS_TF | X86_EFLAGS_IF | X86_EFLAGS_DF |
		       X86_EFLAGS_AC | X86_EFLAGS_NT)) ==
	      (X86_EFLAGS_TF | X86_EFLAGS_IF | X86_EFLAGS_DF |
	       X86_EFLAGS_AC | X86_EFLAGS_NT),
	      "SYSCALL_MASK clears TF, IF, DF, AC and NT");
	if (!intel)
		return;
	emit(",\"CSTAR_note\":\"not written on Intel (syscall_init(): no 32-bit SYSCALL there)\"");
}

#if IS_ENABLED(CONFIG_LAB_SYSCALLS_DISPATCH_EXPORTS)
/* The family's names, in number order (kernel/family.tbl). */
static const char *const family[] = { LAB_FAMILY_NAMES };

static void read_dispatch(void)
{
	struct pt_regs regs = { .orig_ax = NR_syscalls };
	struct pt_regs hole_regs = { 0 };
	char sym[KSYM_SYMBOL_LEN], nisym[KSYM_SYMBOL_LEN], want[64], what[160];
	unsigned int holes = 0, first = __NR_lab_null, nfound = 0, best = 0;
	sys_call_ptr_t ni = NULL;
	long past, hole;

	/*
	 * sys_ni_syscall has many names (COND_SYSCALL's weak aliases), so the
	 * holes are found by address: the entry most of the table shares.
	 */
	for (unsigned int nr = 0; nr < NR_syscalls; nr++) {
		unsigned int same = 0;

		for (unsigned int j = 0; j < NR_syscalls; j++)
			same += sys_call_table[j] == sys_call_table[nr];
		if (same > best) {
			best = same;
			ni = sys_call_table[nr];
		}
	}
	for (unsigned int nr = 0; nr < NR_syscalls; nr++)
		holes += sys_call_table[nr] == ni;
	for (unsigned int nr = 0; nr < NR_syscalls; nr++)
		if (sys_call_table[nr] == ni) {
			hole_regs.orig_ax = nr;
			break;
		}
	hole = x64_sys_call(&hole_regs, hole_regs.orig_ax);
	sym_of((unsigned long)ni, nisym);
	pr_info("# the holes' entry (the most shared one): %s\n", nisym);
	emit("},\"x86_64\":{\"source\":\"sys_call_table (exported, LAB_SYSCALLS_DISPATCH)\",\"nr_syscalls\":%u,\"holes\":%u,\"implemented\":%u,\"ni_symbol\":\"%s\",\"family\":{",
	     NR_syscalls, holes, NR_syscalls - holes, nisym);
	for (size_t i = 0; i < ARRAY_SIZE(family); i++) {
		unsigned int nr = first + i;

		if (nr >= NR_syscalls)
			break;
		sym_of((unsigned long)sys_call_table[nr], sym);
		pr_info("# sys_call_table[%u] is %s\n", nr, sym);
		/*
		 * A wrapper of a call without arguments shares its address
		 * with __do_sys_NAME, and kallsyms may name either.
		 */
		snprintf(want, sizeof(want), "__x64_sys_%s", family[i]);
		nfound += !strcmp(sym, want);
		snprintf(want, sizeof(want), "__do_sys_%s", family[i]);
		nfound += !strcmp(sym, want);
		emit("%s\"%s\":{\"nr\":%u,\"symbol\":\"%s\"}", i ? "," : "",
		     family[i], nr, sym);
	}
	past = x64_sys_call(&regs, NR_syscalls);
	emit("},\"past_end\":{\"nr\":%u,\"x64_sys_call\":%ld},\"hole\":{\"nr\":%lu,\"x64_sys_call\":%ld}",
	     NR_syscalls, past, hole_regs.orig_ax, hole);
	snprintf(what, sizeof(what),
		 "sys_call_table: the family's %zu entries resolve to their __x64_sys_* (or same-address __do_sys_*) wrappers",
		 ARRAY_SIZE(family));
	check(nfound == ARRAY_SIZE(family), what);
	check(holes > 0 && holes < NR_syscalls &&
	      strstr(nisym, "sys_ni_syscall"),
	      "sys_call_table: the holes' shared entry is sys_ni_syscall's");
	pr_info("# x64_sys_call(%u) returns %ld, x64_sys_call(%lu) (a hole) %ld\n",
		NR_syscalls, past, hole_regs.orig_ax, hole);
	check(past == hole && past < 0,
	      "x64_sys_call(NR_syscalls), one past the end, answers what a hole answers (sys_ni_syscall's error)");
}
#else
static void read_dispatch(void)
{
	emit("},\"x86_64\":{\"nr_syscalls\":%u,\"source\":\"none: dispatch symbols not exported\"",
	     NR_syscalls);
}
#endif

static int wiring_show(struct seq_file *m, void *v)
{
	seq_write(m, json, json_len);
	return 0;
}

static int __init kernel_wiring_init(void)
{
	json = kzalloc(JSON_MAX, GFP_KERNEL);
	if (!json)
		return -ENOMEM;
	pr_info("KTAP version 1\n");
	pr_info("# kernel_wiring: the IDT, the syscall MSRs and the dispatch table, read from the running kernel\n");
	emit("{\"wiring\":{\"idt\":{");
	read_gate(0x80, "asm_int80_emulation", 3);
	read_gate(0x0e, "asm_exc_page_fault", 0);
	read_msrs();
	read_dispatch();
	emit("},\"ia32_nr_syscalls\":%u}}\n", IA32_NR_syscalls);
	check(json_len < JSON_MAX - 1, "the facts fit in the buffer");
	pr_info("1..%u\n", checks);
	pr_info("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:0 error:0\n",
		checks - failed, failed);
	if (failed) {
		kfree(json);
		return -EINVAL;
	}
	if (!proc_create_single("lab_wiring", 0444, NULL, wiring_show)) {
		kfree(json);
		return -ENOMEM;
	}
	return 0;
}

static void __exit kernel_wiring_exit(void)
{
	remove_proc_entry("lab_wiring", NULL);
	kfree(json);
}

module_init(kernel_wiring_init);
module_exit(kernel_wiring_exit);

MODULE_DESCRIPTION("The syscall lab's wiring: IDT, MSRs and dispatch, read and checked (KTAP)");
MODULE_LICENSE("GPL");
#if IS_ENABLED(CONFIG_LAB_SYSCALLS_DISPATCH_EXPORTS)
MODULE_IMPORT_NS(LAB_SYSCALLS_DISPATCH);
#endif
