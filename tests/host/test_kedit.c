/* Unit tests of tools/kedit.c and kedit_numbers.c (on tools/lines.c): the
 * edits scripts/patch-kernel.sh makes to a kernel tree's files, bad cases
 * first: each refused naming what the file lacks, the file unchanged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kedit.h"

/* text as lines. */
static struct lines L(const char *text)
{
	struct lines l;

	assert_int_equal(0, lines_split(text, &l));
	return l;
}

/* l is want (as text), and is freed. */
static void expect(struct lines *l, const char *want)
{
	char *s = lines_join(l);

	assert_non_null(s);
	assert_string_equal(want, s);
	free(s);
	lines_free(l);
}

static char why[512];

static const char exports[] =
	"#ifdef CONFIG_X\n"
	"EXPORT_SYMBOL(tbl);\n"
	"#endif\n";

static void what_a_file_lacks_is_refused_and_it_is_left_as_it_was(void **state)
{
	struct lines l, frag = L("/* the syscall lab: x */\nlong x(void);\n");
	struct ked_numbers ns = { 0 };

	(void)state;
	l = L("a\nb\n");
	assert_int_equal(-1, ked_insert_before(&l, "^ssize_t ksys_write\\(", &frag, why, sizeof(why)));
	assert_string_equal("no line matches /^ssize_t ksys_write\\(/", why);
	expect(&l, "a\nb\n");

	lines_free(&frag);
	frag = L(exports);
	l = L("const int tbl[] = {\n\t1,\n\t};\n");
	assert_int_equal(-1, ked_insert_after_block(&l, "^const int tbl\\[", &frag, why, sizeof(why)));
	assert_string_equal("no \"}\" alone on a line closes the definition at /^const int tbl\\[/", why);
	expect(&l, "const int tbl[] = {\n\t1,\n\t};\n");
	lines_free(&frag);

	frag = L("struct s;\n");
	l = L("#include <a.h>\nstruct t;\n");
	assert_int_equal(-1, ked_declare(&l, &frag, why, sizeof(why)));
	assert_string_equal("no forward declaration (struct name;) above its first #include", why);
	expect(&l, "#include <a.h>\nstruct t;\n");
	lines_free(&frag);

	l = L("#define __NR_syscalls 451\n");
	assert_int_equal(-1, ked_number_block(&l, "^#undef __NR_syscalls", &ns, &frag, 1, why, sizeof(why)));
	assert_string_equal("no line matches /^#undef __NR_syscalls/", why);
	assert_int_equal(-1, ked_set_count(&l, "__NR_compat_syscalls", 3, why, sizeof(why)));
	assert_string_equal("no line '#define __NR_compat_syscalls N'", why);
	expect(&l, "#define __NR_syscalls 451\n");

	l = L("#define __NR_syscalls (__NR_x + 1)\n#define __NR_syscalls 0\n");
	assert_int_equal(-1, ked_first_number(&l));
	lines_free(&l);
}

static void lines_are_read_as_awk_reads_them(void **state)
{
	struct lines l = L("a\n\nlast");

	(void)state;
	assert_int_equal(3, l.n);
	assert_string_equal("", l.v[1]);
	expect(&l, "a\n\nlast\n");
	l = L("");
	assert_int_equal(0, l.n);
	expect(&l, "");
	assert_int_equal(1, line_matches("core-y += kernel/", "^core-y[ \t]+(\\+|:)?=.*kernel/"));
	assert_int_equal(0, line_matches("x", "("));
}

static const char syscalls_h[] =
	"struct a;\n"
	"union b;\n"
	"#include <c.h>\n"
	"struct late;\n"
	"/*\n"
	" * Architecture-specific system calls\n"
	" */\n";

static void fragments_go_before_their_anchor_and_replace_an_earlier_version(void **state)
{
	struct lines l = L(syscalls_h), frag = L("/* the syscall lab: x */\nlong x(void);\n");
	struct lines newer = L("/* the syscall lab: x */\nlong x(int);\nlong y(void);\n");
	const char *want = "struct a;\nunion b;\n#include <c.h>\nstruct late;\n"
			   "/* the syscall lab: x */\nlong x(void);\n"
			   "/*\n * Architecture-specific system calls\n */\n";

	(void)state;
	assert_int_equal(0, ked_insert_before(&l, "^ \\* Architecture-specific", &frag, why, sizeof(why)));
	assert_int_equal(0, ked_insert_before(&l, "^ \\* Architecture-specific", &frag, why, sizeof(why)));
	{
		char *s = lines_join(&l);

		assert_string_equal(want, s);
		free(s);
	}
	assert_int_equal(0, ked_insert_before(&l, "^ \\* Architecture-specific", &newer, why, sizeof(why)));
	expect(&l, "struct a;\nunion b;\n#include <c.h>\nstruct late;\n"
		   "/* the syscall lab: x */\nlong x(int);\nlong y(void);\n"
		   "/*\n * Architecture-specific system calls\n */\n");
	lines_free(&frag);
	lines_free(&newer);

	/* Forward declarations: after the last one above the first #include. */
	l = L(syscalls_h);
	frag = L("struct s;\nunion a;\nstruct t;\n");
	assert_int_equal(0, ked_declare(&l, &frag, why, sizeof(why)));
	assert_int_equal(1, ked_declare(&l, &frag, why, sizeof(why)));
	assert_int_equal(3, lines_index(&l, "union a;", 0));
	lines_remove(&l, 5, l.n);
	expect(&l, "struct a;\nunion b;\nstruct s;\nunion a;\nstruct t;\n");
	lines_free(&frag);
}

static void exports_go_after_the_definition_once(void **state)
{
	struct lines frag = L(exports), l = L("x\nconst int tbl[] = {\n\t1,\n};\ny\n");
	const char *want = "x\nconst int tbl[] = {\n\t1,\n};\n#ifdef CONFIG_X\n"
			   "EXPORT_SYMBOL(tbl);\n#endif\ny\n";

	(void)state;
	assert_int_equal(0, ked_insert_after_block(&l, "^const int tbl\\[", &frag, why, sizeof(why)));
	assert_int_equal(1, ked_insert_after_block(&l, "^const int tbl\\[", &frag, why, sizeof(why)));
	expect(&l, want);
	/* No such definition: nothing to do. */
	l = L("x\n");
	assert_int_equal(1, ked_insert_after_block(&l, "^long x64_sys_call\\(", &frag, why, sizeof(why)));
	expect(&l, "x\n");
	/* "}" with blanks after it closes a function. */
	l = L("long f(void)\n{\n}  \n");
	assert_int_equal(0, ked_insert_after_block(&l, "^long f\\(", &frag, why, sizeof(why)));
	expect(&l, "long f(void)\n{\n}  \n#ifdef CONFIG_X\nEXPORT_SYMBOL(tbl);\n#endif\n");
	lines_free(&frag);
}

static void the_end_block_replaces_an_earlier_version_at_the_end(void **state)
{
	struct lines l = L("COND_SYSCALL(a);\n"), frag = L("\n/* the syscall lab: x */\nCOND_SYSCALL(x);\n");
	struct lines newer = L("\n/* the syscall lab: x */\nCOND_SYSCALL(x);\nCOND_SYSCALL(y);\n");

	(void)state;
	assert_int_equal(0, ked_end_block(&l, &frag, why, sizeof(why)));
	assert_int_equal(0, ked_end_block(&l, &frag, why, sizeof(why)));
	{
		char *s = lines_join(&l);

		assert_string_equal("COND_SYSCALL(a);\n\n/* the syscall lab: x */\nCOND_SYSCALL(x);\n", s);
		free(s);
	}
	assert_int_equal(0, ked_end_block(&l, &newer, why, sizeof(why)));
	expect(&l, "COND_SYSCALL(a);\n\n/* the syscall lab: x */\nCOND_SYSCALL(x);\nCOND_SYSCALL(y);\n");
	lines_free(&frag);
	lines_free(&newer);
}

static const char unistd_h[] =
	"#define __NR_x 450\n"
	"__SYSCALL(__NR_x, sys_x)\n"
	"\n"
	"#undef __NR_syscalls\n"
	"#define __NR_syscalls 451\n";

static void numbers_are_blocked_above_the_anchor_and_counted(void **state)
{
	struct lines l = L(unistd_h), nums = L("a 451\nb 452\n"), entries = L("a\nb=compat_sys_b\nc=x=y\n");
	struct ked_numbers ns;
	const char *want = "#define __NR_x 450\n__SYSCALL(__NR_x, sys_x)\n\n"
			   "/* the syscall lab: hello/hello.c */\n"
			   "#define __NR_a 451\n__SYSCALL(__NR_a, sys_a)\n"
			   "#define __NR_b 452\n__SC_COMP(__NR_b, sys_b, compat_sys_b)\n\n"
			   "#undef __NR_syscalls\n#define __NR_syscalls 453\n";

	(void)state;
	assert_int_equal(451, ked_first_number(&l));
	assert_int_equal(0, ked_numbers_parse(&nums, &ns));
	assert_int_equal(0, ked_number_block(&l, "^#undef __NR_syscalls", &ns, &entries, 1, why, sizeof(why)));
	assert_int_equal(0, ked_set_count(&l, "__NR_syscalls", 453, why, sizeof(why)));
	/* A tree with the block: numbered from the block's first, again. */
	assert_int_equal(451, ked_first_number(&l));
	assert_int_equal(0, ked_number_block(&l, "^#undef __NR_syscalls", &ns, &entries, 1, why, sizeof(why)));
	assert_int_equal(0, ked_set_count(&l, "__NR_syscalls", 453, why, sizeof(why)));
	/* The count itself is one of the #defines ked_next_number() reads. */
	assert_int_equal(454, ked_next_number(&l));
	expect(&l, want);

	/* Without both, ENTRY is called; above the comment the anchor is in. */
	l = L("#define __NR_y 7\n/*\n * Please add new compat syscalls above this comment\n */\n");
	assert_int_equal(0, ked_number_block(&l, "^ \\* Please add new compat", &ns, &entries, 0, why, sizeof(why)));
	assert_int_equal(453, ked_next_number(&l));
	expect(&l, "#define __NR_y 7\n/* the syscall lab: hello/hello.c */\n"
		   "#define __NR_a 451\n__SYSCALL(__NR_a, sys_a)\n"
		   "#define __NR_b 452\n__SYSCALL(__NR_b, compat_sys_b)\n\n"
		   "/*\n * Please add new compat syscalls above this comment\n */\n");
	l = L("#define __NR_compat_syscalls\t\t460\n");
	assert_int_equal(0, ked_set_count(&l, "__NR_compat_syscalls", 462, why, sizeof(why)));
	expect(&l, "#define __NR_compat_syscalls\t\t462\n");
	free(ns.v);
	lines_free(&nums);
	lines_free(&entries);
}

static void single_lines_are_added_after_their_anchor(void **state)
{
	struct lines l = L("obj-y\t+= init/\nobj-y\t+= kernel/\nobj-y\t+= mm/\n");
	char *add[] = { "obj-y\t\t\t+= hello/" };

	(void)state;
	assert_int_equal(0, ked_add_after(&l, "^source", add, 1));
	assert_int_equal(1, ked_add_after(&l, "^obj-y[ \t]+\\+=[ \t]*kernel/[ \t]*$", add, 1));
	expect(&l, "obj-y\t+= init/\nobj-y\t+= kernel/\nobj-y\t\t\t+= hello/\nobj-y\t+= mm/\n");
	l = L("core-y\t\t+= kernel/ mm/ \t\n");
	assert_int_equal(0, ked_append_to(&l, "^init-y", " hello/"));
	assert_int_equal(1, ked_append_to(&l, "^core-y[ \t]+(\\+|:)?=.*kernel/", " hello/"));
	expect(&l, "core-y\t\t+= kernel/ mm/ hello/\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(what_a_file_lacks_is_refused_and_it_is_left_as_it_was),
		cmocka_unit_test(lines_are_read_as_awk_reads_them),
		cmocka_unit_test(fragments_go_before_their_anchor_and_replace_an_earlier_version),
		cmocka_unit_test(exports_go_after_the_definition_once),
		cmocka_unit_test(the_end_block_replaces_an_earlier_version_at_the_end),
		cmocka_unit_test(numbers_are_blocked_above_the_anchor_and_counted),
		cmocka_unit_test(single_lines_are_added_after_their_anchor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
