// SPDX-License-Identifier: GPL-2.0-only
/*
 * kernel_syscall: the lab's "in-kernel system call", checked.
 *
 * Calls the hello family from inside the kernel in two ways:
 *   - directly, through the ksys_*() helpers that the syscalls' bodies are;
 *   - through the syscall table entry, with a struct pt_regs set up the way
 *     do_syscall_64() sets it up, dispatched by x64_sys_call() (as the entry
 *     code does) and by sys_call_table[] (as kernels before the
 *     branch-history-injection fixes did). Those two are exported only by
 *     a kernel built with CONFIG_LAB_SYSCALLS_DISPATCH_EXPORTS=y (in the
 *     LAB_SYSCALLS_DISPATCH namespace); without it, their checks are
 *     reported as skipped, with the reason. On arm64 the entry code itself
 *     calls through sys_call_table[] (invoke_syscall(): the number checked
 *     against __NR_syscalls and clamped by array_index_nospec(), the
 *     arguments in regs[0..5]): the checks x86 makes through x64_sys_call()
 *     go through sys_call_table[] that way, those through sys_call_table[]
 *     with the bare index, as on x86.
 *
 * The ksys_*() helpers are in the LAB_SYSCALLS symbol namespace.
 *
 * Every call is a check against the result docs/man2/ promises. The
 * results go to the kernel log as KTAP (the version line, the plan, one
 * "ok N" or "not ok N" line a check, "# " lines saying what was expected and
 * what came back when a check fails, the totals line), and if any check
 * failed the load fails with -EINVAL, as kstm_report() makes it. The
 * kernel's tools/testing/selftests/kselftest_module.h is not used: its
 * KSTM_CHECK_ZERO() counts and logs "TC failed at" lines, no KTAP.
 *
 * The calls that take user pointers are given memory mapped into the loading
 * process (insmod's), since a syscall never accepts a kernel pointer where a
 * user one belongs. What a call writes there is read back through a window
 * of fixed size, never through the length the call returned.
 */
#define pr_fmt(fmt) fmt	/* KTAP: the lines go to the log as they are */

#include <linux/capability.h>
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/nospec.h>
#include <linux/string.h>
#include <linux/syscalls.h>
#include <linux/uaccess.h>
#include <uapi/linux/lab_syscalls.h>
#include <asm/syscall.h>
#include <asm/unistd.h>

#include "lab_family.h"

static bool inject_failure;
module_param(inject_failure, bool, 0444);
MODULE_PARM_DESC(inject_failure,
		 "for the lab's own tests: expect a wrong answer from one check, so that the failure path can be seen");

#define GREETING	"Hello world"	/* the greeting a fresh kernel has */
#define GREETING_LEN	(sizeof(GREETING) - 1)
#define SRC_TEXT	"kernel"	/* what lab_transform() is given */

/*
 * The user memory: SRC (SRC_TEXT, then zeros), then OUT, each long enough
 * for a lab_transform() one byte over LAB_TRANSFORM_MAX, then a page left
 * unmapped. OUT's first WINDOW bytes are set to POISON before each call and
 * read back after it.
 */
#define AREA		PAGE_ALIGN(LAB_TRANSFORM_MAX + 1)
#define WINDOW		LAB_GREETING_MAX
#define POISON		0xa5

struct lab_user {
	char __user *src;	/* NULL: there is no user memory */
	char __user *out;
};

/*
 * The call site that make asm shows and make trace follows: the in-kernel
 * system call, one direct call of the syscall's body.
 */
static noinline long call_site_kernel(void)
{
	long ret = ksys_lab_null();

	barrier(); /* a real call, not a tail-call jump */
	return ret;
}

/* The dispatch symbols: exported only with this option (see CHECK_DISPATCH). */
#define DISPATCH_EXPORTED IS_ENABLED(CONFIG_LAB_SYSCALLS_DISPATCH_EXPORTS)
#define DISPATCH_SKIP \
	"dispatch symbols not exported (CONFIG_LAB_SYSCALLS_DISPATCH_EXPORTS=n)"

#ifdef CONFIG_X86_64
#define ARCH_NUMBERS	"x86_64"
/* A check through the entry code's dispatch, named after it. */
#define VIA_ENTRY(call)	"x64_sys_call: " call

static long __init call_table_switch(unsigned int nr, unsigned long a0,
				     unsigned long a1, unsigned long a2,
				     unsigned long a3)
{
	struct pt_regs regs = {
		.orig_ax = nr, .di = a0, .si = a1, .dx = a2, .r10 = a3,
	};

	if (!DISPATCH_EXPORTED)
		return -EOPNOTSUPP;
	return x64_sys_call(&regs, nr);
}

static long __init call_table_pointer(unsigned int nr, unsigned long a0,
				      unsigned long a1, unsigned long a2,
				      unsigned long a3)
{
	struct pt_regs regs = {
		.orig_ax = nr, .di = a0, .si = a1, .dx = a2, .r10 = a3,
	};

	if (!DISPATCH_EXPORTED)
		return -EOPNOTSUPP;
	return sys_call_table[nr](&regs);
}
#elif defined(CONFIG_ARM64)
#define ARCH_NUMBERS	"arm64"
#define VIA_ENTRY(call)	"sys_call_table: " call ", as invoke_syscall() calls it,"

/* A struct pt_regs as el0_svc() leaves it: the arguments in regs[0..5]. */
#define ARM64_REGS(nr, a0, a1, a2, a3) {				\
	.regs = { (a0), (a1), (a2), (a3) },				\
	.orig_x0 = (a0), .syscallno = (nr),				\
}

/* invoke_syscall()'s way: the number bounded, the index clamped. */
static long __init call_table_switch(unsigned int nr, unsigned long a0,
				     unsigned long a1, unsigned long a2,
				     unsigned long a3)
{
	struct pt_regs regs = ARM64_REGS(nr, a0, a1, a2, a3);

	if (!DISPATCH_EXPORTED)
		return -EOPNOTSUPP;
	/*
	 * Never here (the family's numbers are in the table); the entry
	 * code's do_ni_syscall() is not exported.
	 */
	if (nr >= __NR_syscalls)
		return -EINVAL;
	return sys_call_table[array_index_nospec(nr, __NR_syscalls)](&regs);
}

static long __init call_table_pointer(unsigned int nr, unsigned long a0,
				      unsigned long a1, unsigned long a2,
				      unsigned long a3)
{
	struct pt_regs regs = ARM64_REGS(nr, a0, a1, a2, a3);

	if (!DISPATCH_EXPORTED)
		return -EOPNOTSUPP;
	return sys_call_table[nr](&regs);
}
#else
#error "kernel_syscall knows the dispatch of x86_64 and arm64"
#endif

/* The calls, one a check. */

static long __init null_direct(const struct lab_user *u)
{
	return call_site_kernel();
}

static long __init hello_direct(const struct lab_user *u)
{
	return ksys_hello();
}

static long __init null_switch(const struct lab_user *u)
{
	return call_table_switch(__NR_lab_null, 0, 0, 0, 0);
}

static long __init hello_switch(const struct lab_user *u)
{
	return call_table_switch(__NR_hello, 0, 0, 0, 0);
}

static long __init greeting_kernel_pointer(const struct lab_user *u)
{
	char kbuf[LAB_GREETING_MAX];

	/* A kernel pointer where a user pointer belongs must be refused. */
	return ksys_lab_greeting((__force char __user *)kbuf, sizeof(kbuf));
}

static long __init greeting_direct(const struct lab_user *u)
{
	return ksys_lab_greeting(u->out, AREA);
}

static long __init greeting_switch(const struct lab_user *u)
{
	return call_table_switch(__NR_lab_greeting, (unsigned long)u->out,
				 AREA, 0, 0);
}

static long __init hello_pointer(const struct lab_user *u)
{
	return call_table_pointer(__NR_hello, 0, 0, 0, 0);
}

static long __init greeting_exact(const struct lab_user *u)
{
	return ksys_lab_greeting(u->out, GREETING_LEN + 1);
}

static long __init greeting_short(const struct lab_user *u)
{
	return ksys_lab_greeting(u->out, GREETING_LEN);
}

static long __init greeting_size0(const struct lab_user *u)
{
	return ksys_lab_greeting(u->out, 0);
}

static long __init greeting_hole(const struct lab_user *u)
{
	return ksys_lab_greeting(u->out + AREA - 5, LAB_GREETING_MAX);
}

static long __init transform_direct(const struct lab_user *u)
{
	return ksys_lab_transform(u->src, u->out, sizeof(SRC_TEXT) - 1,
				  LAB_TRANSFORM_UPPER | LAB_TRANSFORM_REVERSE);
}

static long __init transform_switch(const struct lab_user *u)
{
	/* Four arguments: on x86_64 the fourth travels in r10, not rcx. */
	return call_table_switch(__NR_lab_transform, (unsigned long)u->src,
				 (unsigned long)u->out, sizeof(SRC_TEXT) - 1,
				 LAB_TRANSFORM_UPPER | LAB_TRANSFORM_REVERSE);
}

static long __init transform_bad_flag(const struct lab_user *u)
{
	return ksys_lab_transform(u->src, u->out, sizeof(SRC_TEXT) - 1, 0x80);
}

static long __init transform_too_long(const struct lab_user *u)
{
	return ksys_lab_transform(u->src, u->out, LAB_TRANSFORM_MAX + 1,
				  LAB_TRANSFORM_UPPER);
}

static long __init transform_longest(const struct lab_user *u)
{
	return ksys_lab_transform(u->src, u->out, LAB_TRANSFORM_MAX,
				  LAB_TRANSFORM_UPPER);
}

static long __init transform_empty(const struct lab_user *u)
{
	return ksys_lab_transform(NULL, NULL, 0, LAB_TRANSFORM_UPPER);
}

static long __init set_greeting_empty(const struct lab_user *u)
{
	return ksys_lab_set_greeting(u->src, 0);
}

static long __init set_greeting_too_long(const struct lab_user *u)
{
	return ksys_lab_set_greeting(u->src, LAB_GREETING_MAX);
}

/*
 * lab_batch(): three records in the user memory, in SRC after SRC_TEXT:
 * lab_null(), lab_greeting(OUT) or an operation that does not exist, and
 * lab_null() again. A batch check returns what ksys_lab_batch() returned
 * when every processed record holds the result expected and the others
 * are untouched; otherwise BATCH_WRONG, which no batch returns.
 */
#define BATCH_AT	2048
#define BATCH_WRONG	(-EBADE)
#define BATCH_UNTOUCHED	0x5a5a5a5a
#define BATCH_NO_OP	99

static long __init batch_call(const struct lab_user *u, bool forbidden,
			      unsigned int flags, bool through_table)
{
	struct lab_batch_rec __user *urec = (void __user *)(u->src + BATCH_AT);
	struct lab_batch_rec rec[3] = {
		{ .op = LAB_BATCH_NULL },
		{ .op = LAB_BATCH_GREETING,
		  .args = { (unsigned long)u->out, LAB_GREETING_MAX } },
		{ .op = LAB_BATCH_NULL },
	};
	const s64 want[3] = { 0, forbidden ? -EINVAL : GREETING_LEN, 0 };
	long ret;
	int i;

	if (forbidden)
		rec[1] = (struct lab_batch_rec){ .op = BATCH_NO_OP };
	for (i = 0; i < 3; i++)
		rec[i].result = BATCH_UNTOUCHED;
	if (copy_to_user(urec, rec, sizeof(rec)))
		return -EFAULT;
	if (through_table)
		ret = call_table_switch(__NR_lab_batch, (unsigned long)urec,
					ARRAY_SIZE(rec), flags, 0);
	else
		ret = ksys_lab_batch(urec, ARRAY_SIZE(rec), flags);
	if (copy_from_user(rec, urec, sizeof(rec)))
		return -EFAULT;
	for (i = 0; i < 3; i++)
		if (rec[i].result != (i < ret ? want[i] : BATCH_UNTOUCHED))
			return BATCH_WRONG;
	return ret;
}

static long __init batch_direct(const struct lab_user *u)
{
	return batch_call(u, false, 0, false);
}

static long __init batch_switch(const struct lab_user *u)
{
	return batch_call(u, false, 0, true);
}

static long __init batch_forbidden(const struct lab_user *u)
{
	return batch_call(u, true, 0, false);
}

static long __init batch_stop_on_error(const struct lab_user *u)
{
	return batch_call(u, true, LAB_BATCH_STOP_ON_ERROR, false);
}

static long __init batch_kernel_pointer(const struct lab_user *u)
{
	struct lab_batch_rec rec = { .op = LAB_BATCH_NULL };

	/* A kernel array where a user one belongs must be refused. */
	return ksys_lab_batch((__force struct lab_batch_rec __user *)&rec, 1,
			      0);
}

/* The calls added with make new-syscall, with lab_own_calls.h's arguments. */
#define LAB_OWN_BUF ((void __user *)u->out)
#define LAB_OWN_CALL(name, args)					\
static long __init own_##name(const struct lab_user *u)			\
{									\
	return ksys_##name args;					\
}

#include "lab_own_calls.h"
#undef LAB_OWN_CALL

/* The checks. */

struct lab_check {
	const char *what;	/* the call; " returns ..." is added */
	long (*call)(const struct lab_user *u);
	long ret;		/* the expected return value */
	const char *out;	/* OUT's expected first bytes (then POISON), */
	size_t out_len;		/* or NULL: OUT is not looked at */
	unsigned int flags;
};

#define CHECK_USER	0x1	/* needs the user memory */
#define CHECK_ADMIN	0x2	/* -EPERM instead without CAP_SYS_ADMIN */
#define CHECK_INJECT	0x4	/* inject_failure=1 expects ret + 1 */
#define CHECK_DISPATCH	0x8	/* through x64_sys_call() or sys_call_table[] */
#define CHECK_NOT	0x10	/* passes when ret is not the value given */

#define OUT_STRING(s)	.out = (s), .out_len = sizeof(s)	/* NUL too */
#define OUT_BYTES(s)	.out = (s), .out_len = sizeof(s) - 1
#define OUT_NOTHING	.out = "", .out_len = 0

static const struct lab_check checks[] __initconst = {
	{ "direct: ksys_lab_null()", null_direct, 0, .flags = CHECK_INJECT },
	{ "direct: ksys_hello()", hello_direct, 0 },
	{ VIA_ENTRY("lab_null()"), null_switch, 0, .flags = CHECK_DISPATCH },
	{ VIA_ENTRY("hello()"), hello_switch, 0, .flags = CHECK_DISPATCH },
	{ "direct: ksys_lab_greeting(kernel pointer)", greeting_kernel_pointer,
	  -EFAULT },
	{ "direct: ksys_lab_greeting(user buffer)", greeting_direct,
	  GREETING_LEN, OUT_STRING(GREETING), .flags = CHECK_USER },
	{ VIA_ENTRY("lab_greeting(user buffer)"), greeting_switch,
	  GREETING_LEN, OUT_STRING(GREETING),
	  .flags = CHECK_USER | CHECK_DISPATCH },
	{ "sys_call_table: hello()", hello_pointer, 0,
	  .flags = CHECK_DISPATCH },
	{ "direct: ksys_lab_greeting(user buffer, size length + 1)",
	  greeting_exact, GREETING_LEN, OUT_STRING(GREETING), .flags = CHECK_USER },
	{ "direct: ksys_lab_greeting(user buffer, size length)",
	  greeting_short, -ERANGE, OUT_NOTHING, .flags = CHECK_USER },
	{ "direct: ksys_lab_greeting(user buffer, size 0)",
	  greeting_size0, -ERANGE, OUT_NOTHING, .flags = CHECK_USER },
	{ "direct: ksys_lab_greeting(5 bytes before an unmapped page)",
	  greeting_hole, -EFAULT, .flags = CHECK_USER },
	{ "direct: ksys_lab_transform(\"" SRC_TEXT "\", UPPER|REVERSE)",
	  transform_direct, 6, OUT_BYTES("LENREK"), .flags = CHECK_USER },
	{ VIA_ENTRY("lab_transform(\"" SRC_TEXT "\", UPPER|REVERSE)"),
	  transform_switch, 6, OUT_BYTES("LENREK"),
	  .flags = CHECK_USER | CHECK_DISPATCH },
	{ "direct: ksys_lab_transform(\"" SRC_TEXT "\", unknown flag 0x80)",
	  transform_bad_flag, -EINVAL, OUT_NOTHING, .flags = CHECK_USER },
	{ "direct: ksys_lab_transform(LAB_TRANSFORM_MAX + 1 bytes, UPPER)",
	  transform_too_long, -EINVAL, OUT_NOTHING, .flags = CHECK_USER },
	{ "direct: ksys_lab_transform(LAB_TRANSFORM_MAX bytes, UPPER)",
	  transform_longest, LAB_TRANSFORM_MAX, .flags = CHECK_USER },
	{ "direct: ksys_lab_transform(NULL, NULL, 0 bytes, UPPER)",
	  transform_empty, 0 },
	{ "direct: ksys_lab_set_greeting(user buffer, 0 bytes)",
	  set_greeting_empty, -EINVAL, .flags = CHECK_USER | CHECK_ADMIN },
	{ "direct: ksys_lab_set_greeting(user buffer, LAB_GREETING_MAX bytes)",
	  set_greeting_too_long, -EINVAL,
	  .flags = CHECK_USER | CHECK_ADMIN },
	{ "direct: ksys_lab_greeting(user buffer) after the refused changes",
	  greeting_direct, GREETING_LEN, OUT_STRING(GREETING), .flags = CHECK_USER },
	{ "direct: ksys_lab_batch(null, greeting, null)", batch_direct, 3,
	  OUT_STRING(GREETING), .flags = CHECK_USER },
	{ VIA_ENTRY("lab_batch(null, greeting, null)"), batch_switch, 3,
	  OUT_STRING(GREETING), .flags = CHECK_USER | CHECK_DISPATCH },
	{ "direct: ksys_lab_batch(null, no such operation, null)",
	  batch_forbidden, 3, .flags = CHECK_USER },
	{ "direct: ksys_lab_batch(null, no such operation, null, STOP_ON_ERROR)",
	  batch_stop_on_error, 2, .flags = CHECK_USER },
	{ "direct: ksys_lab_batch(kernel pointer)", batch_kernel_pointer,
	  -EFAULT },
	/* A new call's body is written: it answers, and not ENOSYS. */
#define LAB_OWN_CALL(name, args)					\
	{ "direct: ksys_" #name #args, own_##name, -ENOSYS,		\
	  .flags = CHECK_NOT },
#include "lab_own_calls.h"
#undef LAB_OWN_CALL
};

static const u8 poison[WINDOW] __initconst = { [0 ... WINDOW - 1] = POISON };

/* Room for a description, or for a diagnostic with a window's bytes. */
static char line[160 + 4 * WINDOW] __initdata;
static unsigned int reported __initdata;

static const char *__init ret_name(long v, char *buf, size_t size)
{
	switch (v) {
	case -EPERM:
		return "-EPERM";
	case -EFAULT:
		return "-EFAULT";
	case -EINVAL:
		return "-EINVAL";
	case -ERANGE:
		return "-ERANGE";
	case -ENOSYS:
		return "-ENOSYS";
	case BATCH_WRONG:
		return "a record's result not as documented";
	}
	snprintf(buf, size, "%ld", v);
	return buf;
}

/* Appends @len bytes to line: printable ASCII but \ and " as is, others \xNN. */
static size_t __init add_bytes(size_t n, const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		u8 ch = p[i];

		if (ch >= ' ' && ch <= '~' && ch != '\\' && ch != '"')
			n += scnprintf(line + n, sizeof(line) - n, "%c", ch);
		else
			n += scnprintf(line + n, sizeof(line) - n, "\\x%02x",
				       ch);
	}
	return n;
}

/*
 * Appends "returns R" to line and, when OUT is looked at (@out), what it
 * holds: @out_len bytes, or only the text before a NUL if @as_text.
 */
static void __init add_outcome(size_t n, long ret, const char *out,
			       size_t out_len, bool as_text, bool not)
{
	char num[24];

	n += scnprintf(line + n, sizeof(line) - n, "%s %s",
		       not ? "does not return" : "returns",
		       ret_name(ret, num, sizeof(num)));
	if (!out)
		return;
	if (!out_len) {
		scnprintf(line + n, sizeof(line) - n, " and writes nothing");
		return;
	}
	if (as_text)
		out_len = strnlen(out, out_len);
	n += scnprintf(line + n, sizeof(line) - n, " and \"");
	n = add_bytes(n, out, out_len);
	scnprintf(line + n, sizeof(line) - n, "\"");
}

static void __init report(unsigned int nr, bool ok, const struct lab_check *c,
			  long expect, const char *skip)
{
	size_t n = scnprintf(line, sizeof(line), "%s ", c->what);

	add_outcome(n, expect, c->out, c->out_len, true, c->flags & CHECK_NOT);
	if (skip)
		pr_info("ok %u %s # SKIP %s\n", nr, line, skip);
	else
		pr_info("%s %u %s\n", ok ? "ok" : "not ok", nr, line);
	reported++;
}

enum check_result { CHECK_FAILED, CHECK_PASSED, CHECK_SKIPPED };

static enum check_result __init run_check(unsigned int nr,
					  const struct lab_check *c,
					  const struct lab_user *u)
{
	long expect = c->ret, ret;
	char win[WINDOW];
	size_t used;
	bool ok;

	if ((c->flags & CHECK_DISPATCH) && !DISPATCH_EXPORTED) {
		report(nr, true, c, expect, DISPATCH_SKIP);
		return CHECK_SKIPPED;
	}
	if ((c->flags & CHECK_ADMIN) && !capable(CAP_SYS_ADMIN))
		expect = -EPERM;
	if ((c->flags & CHECK_INJECT) && inject_failure) {
		expect++;
		pr_info("# inject_failure=1: this check expects a wrong value on purpose\n");
	}
	if ((c->flags & CHECK_USER) &&
	    (!u->src || copy_to_user(u->out, poison, WINDOW))) {
		pr_info("# not run: no user memory to call with\n");
		report(nr, false, c, expect, NULL);
		return CHECK_FAILED;
	}

	ret = c->call(u);

	ok = (ret == expect) != !!(c->flags & CHECK_NOT);
	used = 0;
	if (c->out) {
		if (copy_from_user(win, u->out, WINDOW)) {
			pr_info("# the user buffer could not be read back\n");
			report(nr, false, c, expect, NULL);
			return CHECK_FAILED;
		}
		/* What was written: up to the last byte that is not POISON. */
		for (used = WINDOW; used && (u8)win[used - 1] == POISON; used--)
			;
		if (used != c->out_len || memcmp(win, c->out, used))
			ok = false;
	}
	if (!ok) {
		add_outcome(scnprintf(line, sizeof(line), "# expected: "),
			    expect, c->out, c->out_len, false,
			    c->flags & CHECK_NOT);
		pr_info("%s\n", line);
		add_outcome(scnprintf(line, sizeof(line), "# got:      "),
			    ret, c->out ? win : NULL, used, false, false);
		pr_info("%s\n", line);
	}
	report(nr, ok, c, expect, NULL);
	return ok ? CHECK_PASSED : CHECK_FAILED;
}

/* The user memory, in the loading process: see AREA. */
static void __init user_map(struct lab_user *u)
{
	unsigned long base;
	int err;

	u->src = NULL;
	u->out = NULL;
	base = vm_mmap(NULL, 0, 2 * AREA + PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_ANONYMOUS | MAP_PRIVATE, 0);
	if (IS_ERR_VALUE(base)) {
		pr_info("# vm_mmap() failed: %ld\n", (long)base);
		return;
	}
	err = vm_munmap(base + 2 * AREA, PAGE_SIZE);
	if (!err && copy_to_user((char __user *)base, SRC_TEXT,
				 sizeof(SRC_TEXT) - 1))
		err = -EFAULT;
	if (err) {
		pr_info("# setting up the user memory failed: %d\n", err);
		vm_munmap(base, 2 * AREA + PAGE_SIZE);
		return;
	}
	u->src = (char __user *)base;
	u->out = u->src + AREA;
}

static void __init user_unmap(struct lab_user *u)
{
	if (u->src)
		vm_munmap((unsigned long)u->src, 2 * AREA);
}

/* One comment line: the family's numbers in the table the checks use. */
static void __init report_numbers(void)
{
#define NUMBER(name) { #name, __NR_##name },
	static const struct { const char *name; int nr; } nrs[] __initconst = {
		LAB_FAMILY_EACH(NUMBER)
	};
#undef NUMBER
	size_t i, n;

	n = scnprintf(line, sizeof(line),
		      "# kernel_syscall: the hello family called from inside the kernel (%s numbers:",
		      ARCH_NUMBERS);

	for (i = 0; i < ARRAY_SIZE(nrs); i++)
		n += scnprintf(line + n, sizeof(line) - n, "%s %s %d",
			       i ? "," : "", nrs[i].name, nrs[i].nr);
	pr_info("%s)\n", line);
}

static int __init kernel_syscall_init(void)
{
	unsigned int i, passed = 0, failed = 0, skipped = 0;
	struct lab_user u;

	/* The plan is the table's length: each row reports exactly once. */
	pr_info("KTAP version 1\n");
	pr_info("1..%zu\n", ARRAY_SIZE(checks));
	report_numbers();

	user_map(&u);
	for (i = 0; i < ARRAY_SIZE(checks); i++) {
		switch (run_check(i + 1, &checks[i], &u)) {
		case CHECK_PASSED:
			passed++;
			break;
		case CHECK_SKIPPED:
			skipped++;
			break;
		default:
			failed++;
		}
	}
	user_unmap(&u);

	if (reported != ARRAY_SIZE(checks)) {
		pr_info("# the plan said %zu checks, %u were reported\n",
			ARRAY_SIZE(checks), reported);
		failed++;
	}
	pr_info("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:%u error:0\n",
		passed, failed, skipped);
	return failed ? -EINVAL : 0;
}

static void __exit kernel_syscall_exit(void)
{
	pr_info(KBUILD_MODNAME ": unloaded\n");
}

module_init(kernel_syscall_init);
module_exit(kernel_syscall_exit);
MODULE_DESCRIPTION("The syscall lab's in-kernel system call, checked (KTAP)");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(LAB_SYSCALLS);
#if IS_ENABLED(CONFIG_LAB_SYSCALLS_DISPATCH_EXPORTS)
MODULE_IMPORT_NS(LAB_SYSCALLS_DISPATCH);
#endif
