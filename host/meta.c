/* meta.c: see meta.h. */
#define _GNU_SOURCE
#include "meta.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "proc.h"
#include "util.h"

static char *cpu_model(void)
{
	char *text = read_file("/proc/cpuinfo", NULL), *p, *model;

	if (!text)
		return xstrdup("unknown");
	p = strstr(text, "model name");
	p = p ? strchr(p, ':') : NULL;
	if (!p) {
		free(text);
		return xstrdup("unknown");
	}
	p += 2;
	p[strcspn(p, "\n")] = '\0';
	model = xstrdup(p);
	free(text);
	return model;
}

/* Whether /proc/cpuinfo's first flags line has the hypervisor flag: the
 * CPU says it is a virtual one (CPUID.1:ECX bit 31). */
static bool cpu_flag_hypervisor(void)
{
	char *text = read_file("/proc/cpuinfo", NULL), *p, *end;
	bool found = false;

	p = text ? strstr(text, "\nflags") : NULL;
	if (p) {
		end = strchr(p + 1, '\n');
		if (end)
			*end = '\0';
		found = strstr(p, " hypervisor ") || (end && !strcmp(end - 11, " hypervisor"));
	}
	free(text);
	return found;
}

/* The hypervisor's signature (CPUID 0x40000000: "KVMKVMKVM",
 * "TCGTCGTCGTCG", "Microsoft Hv", ...), or "" when there is none. */
static void hypervisor_signature(char sig[13])
{
	sig[0] = '\0';
#if defined(__x86_64__) || defined(__i386__)
	unsigned int a, b, c, d;

	__cpuid(0x40000000, a, b, c, d);
	(void)a;
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	for (int i = 0; i < 12; i++)
		if (sig[i] && (sig[i] < 0x20 || sig[i] > 0x7e))
			sig[0] = '\0';
#endif
}

#if defined(__aarch64__)
/*
 * arm64 has no hypervisor flag: a kernel at EL2 cannot tell an emulated
 * EL2 from a real one. QEMU's virt machine (the board make test-kvm's
 * arm64 L1 runs on, under TCG or KVM) names itself in the device tree:
 * compatible "linux,dummy-virt".
 */
static bool qemu_virt_board(void)
{
	size_t len = 0;
	char *text = read_file("/sys/firmware/devicetree/base/compatible", &len);
	bool found = false;

	/* a list of NUL-terminated strings */
	for (size_t i = 0; text && i < len; i += strlen(text + i) + 1)
		if (!strcmp(text + i, "linux,dummy-virt"))
			found = true;
	free(text);
	return found;
}
#endif

void meta_host_virt(struct meta_virt *v)
{
	v->virtualised = cpu_flag_hypervisor();
	if (v->virtualised)
		hypervisor_signature(v->hypervisor);
	else
		v->hypervisor[0] = '\0';
#if defined(__aarch64__)
	if (!v->virtualised && qemu_virt_board()) {
		v->virtualised = true;
		snprintf(v->hypervisor, sizeof(v->hypervisor), "QEMU virt");
	}
#endif
}

void meta_set_kvm(json_t *meta)
{
	static const struct {
		const char *module, *paging;
	} mods[] = { { "kvm_amd", "npt" }, { "kvm_intel", "ept" } };

	for (size_t i = 0; i < sizeof(mods) / sizeof(*mods); i++) {
		char *dir = xasprintf("/sys/module/%s/parameters", mods[i].module);
		char *nested = xasprintf("%s/nested", dir), *paging = xasprintf("%s/%s", dir, mods[i].paging);
		char *n = read_file(nested, NULL), *p = read_file(paging, NULL);

		if (n || p) {
			if (n)
				n[strcspn(n, "\n")] = '\0';
			if (p)
				p[strcspn(p, "\n")] = '\0';
			json_object_set_new(meta, "kvm",
					    json_pack("{s:s, s:s, s:s}", "module", mods[i].module,
						      "nested", n ? n : "", mods[i].paging, p ? p : ""));
		}
		free(n);
		free(p);
		free(nested);
		free(paging);
		free(dir);
		if (json_object_get(meta, "kvm"))
			return;
	}
#if defined(__aarch64__)
	{
		/* arm64's KVM (built into Debian's kernel): its mode, as the
		 * kernel command line chose it (kvm-arm.mode=; make
		 * test-kvm's L1 needs nvhe) */
		char *cmdline = read_file("/proc/cmdline", NULL);
		char *p = cmdline ? strstr(cmdline, "kvm-arm.mode=") : NULL;
		char *mode = p ? xstrdup(p + strlen("kvm-arm.mode=")) : xstrdup("default");

		mode[strcspn(mode, " \n")] = '\0';
		json_object_set_new(meta, "kvm", json_pack("{s:s, s:s}", "module", "kvm-arm",
							   "mode", mode));
		free(mode);
		free(cmdline);
	}
#endif
}

/* The first line of `PROGRAM --version` ("" if none). program may be
 * words (CC="ccache gcc"): split at blanks, as the shell did. */
static char *version_line(const char *program)
{
	char *copy = xstrdup(program), *save = NULL, *line;
	const char *argv[16];
	size_t n = 0;

	for (char *w = strtok_r(copy, " \t", &save); w && n < 14; w = strtok_r(NULL, " \t", &save))
		argv[n++] = w;
	if (!n) {
		free(copy);
		return xstrdup("");
	}
	argv[n++] = "--version";
	argv[n] = NULL;
	line = proc_line1(argv);
	free(copy);
	return line;
}

json_t *meta_new_run(const char *plan, const char *append)
{
	json_t *m = json_object(), *host = json_object();
	struct utsname u;
	char when[32], *s;
	time_t t = time(NULL);

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	json_object_set_new(m, "schema", json_string(META_SCHEMA));
	json_object_set_new(m, "started", json_string(when));
	json_object_set_new(m, "plan", json_string(plan));
	json_object_set_new(m, "append", json_string(append ? append : ""));
	json_object_set_new(m, "mitigations",
			    json_string(append && strstr(append, "mitigations=off") ? "off" : "default"));
	struct meta_virt v;

	s = cpu_model();
	json_object_set_new(host, "cpu", json_string(s));
	free(s);
	/* a host that is itself a virtual machine: KVM there is nested */
	meta_host_virt(&v);
	json_object_set_new(host, "virtualised", json_boolean(v.virtualised));
	json_object_set_new(host, "hypervisor", json_string(v.hypervisor));
	if (uname(&u) == 0) {
		json_object_set_new(host, "kernel", json_string(u.release));
		json_object_set_new(host, "machine", json_string(u.machine));
		/* the kernel's name for it, as the guests' runs say theirs */
		json_object_set_new(m, "arch", json_string(!strcmp(u.machine, "aarch64") ?
							   "arm64" : u.machine));
	}
	json_object_set_new(m, "host", host);
	s = version_line("qemu-system-x86_64");
	json_object_set_new(m, "qemu", json_string(s));
	free(s);
	s = version_line(getenv("CC") && *getenv("CC") ? getenv("CC") : "cc");
	json_object_set_new(m, "compiler", json_string(s));
	free(s);
	return m;
}

void meta_set_arch(json_t *meta, const char *arch, const char *qemu)
{
	char *s;

	json_object_set_new(meta, "arch", json_string(arch));
	s = version_line(qemu);
	json_object_set_new(meta, "qemu", json_string(s));
	free(s);
	if (!strcmp(arch, "arm64")) {
		/* arm64's guest programs and modules: Debian's cross compiler */
		s = version_line("aarch64-linux-gnu-gcc");
		json_object_set_new(meta, "compiler", json_string(s));
		free(s);
	}
}

void meta_set_kernel(json_t *meta, const char *kobj)
{
	char *path = xasprintf("%s/include/config/kernel.release", kobj);
	char *release = read_file(path, NULL), *config = xasprintf("%s/.config", kobj), *sum;
	const char *const argv[] = { "sha256sum", config, NULL };

	free(path);
	if (release)
		release[strcspn(release, "\n")] = '\0';
	sum = proc_line1(argv);
	sum[strcspn(sum, " ")] = '\0';
	json_object_set_new(meta, "lab_kernel",
			    json_pack("{s:s, s:s, s:s}", "release",
				      release ? release : "unknown",
				      "config_sha256", sum, "build", kobj));
	free(release);
	free(config);
	free(sum);
}

void meta_set_outcome(json_t *meta, const char *name, int guest_status,
		      const char *reason)
{
	json_object_set_new(meta, "outcome",
			    json_pack("{s:s, s:i, s:s}", "name", name,
				      "guest_status", guest_status, "reason",
				      reason ? reason : ""));
}

void meta_write(json_t *meta, const char *path)
{
	char *text = json_dumps(meta, JSON_INDENT(2) | JSON_SORT_KEYS);

	if (!text)
		die("cannot encode %s as JSON", path);
	write_file(path, text, strlen(text));
	free(text);
}
