/*
 * lab boot --kernel IMAGE --initrd CPIO --plan NAME --out DIR
 *          [--arch x86_64|arm64] [--mode auto|tcg|kvm|icount] [--timeout S]
 *          [--append ARGS] [--smp N] [--kobj KOBJ]
 * (its options: commands.c; lab boot --help)
 * One supervised boot into DIR (see boot.h). Exits with the guest's status,
 * or 1 with one line saying why the boot did not finish.
 */
#define _GNU_SOURCE
#include <libgen.h>
#include <stdlib.h>

#include "lab.h"
#include "util.h"

int cmd_boot(int argc, char **argv)
{
	struct lab_opts o;
	struct boot_opts b;
	struct boot_result r;
	char *parent, *probe;

	lab_parse_or_exit(&lab_cmd_boot, argc, argv, &o, NULL);
	parent = xstrdup(o.out);
	lab_lock(dirname(parent));
	boot_install_signals();
	/* auto's probe answer beside the run directory, which is emptied */
	probe = lab_probe_path(parent);
	o.probe_cache = probe;
	b = lab_boot_opts(&o, o.plan, o.out);
	if (lab_boot(&b, &r))
		die("%s; console log: %s/console.log", r.reason, o.out);
	free(probe);
	free(parent);
	return r.guest_status;
}
