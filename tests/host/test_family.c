/* Unit tests of tools/family.c and family_write.c: the family's declaration
 * read strictly, and the fragments written from it. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "family.h"

/* text refused with exactly the message want. */
static void refused(const char *text, const char *want)
{
	struct family f;
	char err[512];

	assert_int_equal(-1, fam_parse("f.tbl", text, &f, err, sizeof(err)));
	assert_string_equal(want, err);
	free(f.v);
}

static void bad_declarations_are_refused_naming_the_line(void **state)
{
	(void)state;
	refused("", "f.tbl: no system calls declared");
	refused("# only a comment\n\n", "f.tbl: no system calls declared");
	refused("a long - void\n# c\na long - int x\n",
		"f.tbl:3: 'a' declared twice (first at line 1)");
	refused("9a long - void\n", "f.tbl:1: '9a' is not a C identifier (of at most 47 characters)");
	refused("a-b long - void\n", "f.tbl:1: 'a-b' is not a C identifier (of at most 47 characters)");
	refused("a long -\n", "f.tbl:1: expected NAME RETURN COMPAT ARGUMENTS");
	refused("a long - int a, int b, int c, int d, int e, int f, int g\n",
		"f.tbl:1: more than 6 arguments");
	refused("a long - float x\n", "f.tbl:1: argument 'x': unknown type 'float'");
	refused("a long - struct s x\n", "f.tbl:1: argument 'x': unknown type 'struct s'");
	refused("a long - void *x\n\n\nb long - void x\n",
		"f.tbl:4: argument 'x': unknown type 'void'");
	refused("a long - int __user x\n",
		"f.tbl:1: argument 'x': __user on a type that is not a pointer");
	refused("a long - int x, int x\n", "f.tbl:1: argument 'x' named twice");
	refused("a long - int 2x\n", "f.tbl:1: argument name '2x' is not a C identifier");
	refused("a long - x\n", "f.tbl:1: argument 'x' has no type and name");
	refused("a long - int x,, int y\n",
		"f.tbl:1: an empty argument (two commas, or one at an end)");
	refused("a long - int x,\n",
		"f.tbl:1: an empty argument (two commas, or one at an end)");
	refused("a float - void\n", "f.tbl:1: a: unknown return type 'float'");
	refused("a void - void\n", "f.tbl:1: a: unknown return type 'void'");
	refused("a long yes void\n", "f.tbl:1: a: compat column 'yes': \"-\" or \"compat\"");
	refused("a long - int x | int y\n", "f.tbl:1: a: compat arguments without a compat entry");
}

/* Fragment what of text, as a string the caller frees. */
static char *fragment(const char *text, const char *what)
{
	struct family f;
	char err[512], *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	assert_int_equal(0, fam_parse("f.tbl", text, &f, err, sizeof(err)));
	assert_int_equal(0, fam_write(out, &f, what));
	fclose(out);
	free(f.v);
	return buf;
}

static const char decl[] =
	"# a comment\n"
	"lab_null\tlong\t-\tvoid   # a comment after\n"
	"lab_batch long - struct lab_batch_rec __user *recs, unsigned int count, unsigned int flags\n"
	"lab_info long compat struct lab_info __user*info | struct compat_lab_info __user *info\n";

static void fragments_are_written_as_the_kernel_has_them(void **state)
{
	char *s;

	(void)state;
	s = fragment(decl, "names");
	assert_string_equal("lab_null\nlab_batch\nlab_info\n", s);
	free(s);
	s = fragment(decl, "compat-names");
	assert_string_equal("lab_null\nlab_batch\nlab_info=compat_sys_lab_info\n", s);
	free(s);
	s = fragment(decl, "sys");
	assert_string_equal("/* the syscall lab: hello/hello.c, the system calls */\n"
			    "asmlinkage long sys_lab_null(void);\n"
			    "asmlinkage long sys_lab_batch(struct lab_batch_rec __user *recs,\n"
			    "\t\t\t      unsigned int count, unsigned int flags);\n"
			    "asmlinkage long sys_lab_info(struct lab_info __user *info);\n\n", s);
	free(s);
	s = fragment(decl, "ksys");
	assert_string_equal("/* the syscall lab: hello/hello.c, for in-kernel callers */\n"
			    "long ksys_lab_null(void);\n"
			    "long ksys_lab_batch(struct lab_batch_rec __user *recs, unsigned int count,\n"
			    "\t\t    unsigned int flags);\n"
			    "long ksys_lab_info(struct lab_info __user *info);\n", s);
	free(s);
	s = fragment(decl, "compat-sys");
	assert_string_equal("/* the syscall lab: hello/hello.c, the compat entries */\n"
			    "struct compat_lab_info;\n"
			    "asmlinkage long compat_sys_lab_info(struct compat_lab_info __user *info);\n\n", s);
	free(s);
	s = fragment(decl, "structs");
	assert_string_equal("struct lab_batch_rec;\nstruct lab_info;\n", s);
	free(s);
	s = fragment(decl, "cond");
	assert_non_null(strstr(s, "COND_SYSCALL(lab_batch);\nCOND_SYSCALL(lab_info);\n"
			       "COND_SYSCALL_COMPAT(lab_info);\n"));
	free(s);
	s = fragment(decl, "wrappers");
	/* Wrapped as the kernel's prototypes are, each line ending " \\". */
	assert_non_null(strstr(s, "\tstatic inline long lab_##mech##_lab_batch(struct lab_batch_rec *recs, \\\n"
			       "\t\t\t\t\t\t  unsigned int count, \\\n"
			       "\t\t\t\t\t\t  unsigned int flags) \\\n"));
	assert_non_null(strstr(s, "\t\treturn lab_##mech##_call(nr(lab_batch), (long)recs, \\\n"
			       "\t\t\t\t\t (long)count, (long)flags, 0); \\\n"));
	assert_non_null(strstr(s, "\t.batch = mech##_batch, \\\n\t.info = mech##_info,\n"));
	/* The structures forward-declared; every call's number and name. */
	assert_non_null(strstr(s, "struct lab_batch_rec;\nstruct lab_info;\n"));
	assert_non_null(strstr(s, "#define LAB_FAMILY_NRS(prefix) { \\\n\tprefix##lab_null, \\\n"
			       "\tprefix##lab_batch, \\\n\tprefix##lab_info \\\n}\n"));
	assert_non_null(strstr(s, "#define LAB_FAMILY_STRINGS { \\\n\t\"lab_null\", \\\n"));
	free(s);
	/* Five or six arguments: the six-register call. */
	s = fragment("a long - int a, int b, int c, int d, int e\n", "wrappers");
	assert_non_null(strstr(s, "return lab_##mech##_call6(nr(a), (long)a, (long)b, (long)c, \\\n"
			       "\t\t\t\t\t  (long)d, (long)e, 0); \\\n"));
	free(s);
	/* Without a compat entry, no compat prototypes at all. */
	s = fragment("a long - void\n", "compat-sys");
	assert_string_equal("", s);
	free(s);
}

static void what_cannot_be_written_is_an_error(void **state)
{
	struct family f;
	char err[512];
	FILE *null = fopen("/dev/null", "w");

	(void)state;
	assert_non_null(null);
	assert_int_equal(0, fam_parse("f.tbl", "a long - void\n", &f, err, sizeof(err)));
	assert_int_equal(-1, fam_write(null, &f, "no-such-fragment"));
	free(f.v);
	fclose(null);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_declarations_are_refused_naming_the_line),
		cmocka_unit_test(fragments_are_written_as_the_kernel_has_them),
		cmocka_unit_test(what_cannot_be_written_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
