/*
 * lab-tbl --edit wire TREE KCONFIG_FRAGMENT (kedit_tree.h): hello/ into
 * the build (Kbuild's obj-y list on current kernels, the top Makefile's
 * core-y line on old ones), its Kconfig sourced after init/Kconfig, and
 * the family's options (KCONFIG_FRAGMENT) in init/Kconfig after the other
 * optional system calls, as adding-syscalls.rst puts a new call's.
 */
#define _POSIX_C_SOURCE 200809L
#include "kedit.h"
#include "kedit_tree.h"

#include <limits.h>
#include <stdio.h>

#define HELLO_WIRED "^(obj-y[[:space:]]+\\+=[[:space:]]*hello/|core-y.*hello/)"

/* 1 if the file at path is there and has a line ere matches. */
static int has_line(const char *path, const char *ere)
{
	struct lines l;
	int has;

	if (!ked_is_file(path) || lines_read(path, &l))
		return 0;
	has = lines_find(&l, ere, 0) >= 0;
	lines_free(&l);
	return has;
}

/*
 * Unless the file at path has a line has matches: add's n lines after the
 * first line ere matches or, with append, add[0] appended to that line in
 * place of its trailing blanks. 0, or 1 (refused).
 */
static int add_unless(const char *path, const char *has, const char *ere, char *const *add,
		      size_t n, int append)
{
	struct lines l;
	int rc;

	if (ked_load(path, &l))
		return 1;
	if (lines_find(&l, has, 0) >= 0) {
		lines_free(&l);
		return 0;
	}
	rc = append ? ked_append_to(&l, ere, add[0]) : ked_add_after(&l, ere, add, n);
	if (rc < 0) {
		lines_free(&l);
		return ked_refuse("out of memory");
	}
	return ked_save(path, &l);
}

/* hello/ into the build of tree: 0, or 1 (refused). */
static int wire_build(const char *tree)
{
	char kbuild[PATH_MAX], makefile[PATH_MAX];
	char *obj[] = { "obj-y\t\t\t+= hello/" }, *core[] = { " hello/" };
	int rc;

	snprintf(kbuild, sizeof(kbuild), "%s/Kbuild", tree);
	snprintf(makefile, sizeof(makefile), "%s/Makefile", tree);
	if (has_line(kbuild, "^obj-y[[:space:]]+\\+=[[:space:]]*kernel/"))
		rc = add_unless(kbuild, "^obj-y[[:space:]]+\\+=[[:space:]]*hello/",
				"^obj-y[ \t]+\\+=[ \t]*kernel/[ \t]*$", obj, 1, 0);
	else if (has_line(makefile, "^core-y[[:space:]]+(\\+|:)?=.*kernel/"))
		rc = add_unless(makefile, "^core-y.*[[:space:]]hello/",
				"^core-y[ \t]+(\\+|:)?=.*kernel/", core, 1, 1);
	else
		return ked_refuse("cannot wire hello/ into %s: neither Kbuild's 'obj-y += kernel/' "
				  "nor the Makefile's core-y line was found", tree);
	if (!rc && !has_line(kbuild, HELLO_WIRED) && !has_line(makefile, HELLO_WIRED))
		rc = ked_refuse("wiring hello/ into the build of %s failed", tree);
	return rc;
}

/* hello/Kconfig sourced after init/Kconfig: 0, or 1 (refused). */
static int wire_kconfig(const char *tree)
{
	char path[PATH_MAX];
	char *source[] = { "", "source \"hello/Kconfig\"" };

	snprintf(path, sizeof(path), "%s/Kconfig", tree);
	if (add_unless(path, "^source \"hello/Kconfig\"", "^source \"init/Kconfig\"", source, 2, 0))
		return 1;
	if (!has_line(path, "^source \"hello/Kconfig\""))
		return ked_refuse("cannot add hello/Kconfig to %s: no 'source \"init/Kconfig\"' line",
				  path);
	return 0;
}

/* The options before EMBEDDED (or the end of General setup) in
 * init/Kconfig, if the tree has one (a partial tree may not): 0, or 1. */
static int wire_options(const char *tree, const char *frag)
{
	char path[PATH_MAX];
	char *args[] = { "insert-before", path, "^config EMBEDDED$", (char *)frag };

	snprintf(path, sizeof(path), "%s/init/Kconfig", tree);
	if (!ked_is_file(path))
		return 0;
	if (!has_line(path, args[2]))
		args[2] = "^endmenu[[:space:]]*# General setup";
	if (!has_line(path, args[2]))
		return ked_refuse("cannot patch %s: no line 'config EMBEDDED' nor 'endmenu # General setup'",
				  path);
	return ked_main(4, args);
}

int ked_wire_main(char **argv)
{
	return wire_build(argv[0]) || wire_kconfig(argv[0]) || wire_options(argv[0], argv[1]);
}
