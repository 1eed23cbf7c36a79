/*
 * meta.h: what a run records about itself when it happens (meta.json in
 * the run directory): the host, QEMU, the compiler, the lab kernel, the
 * mode, the mitigations, the plan and how it ended. A report written later,
 * or elsewhere, reads these; it never probes the machine it runs on.
 */
#ifndef LAB_META_H
#define LAB_META_H

#include <jansson.h>
#include <stdbool.h>

#define META_SCHEMA "lab-run/1"

/* Whether this machine is itself a virtual machine (the CPU's hypervisor
 * flag; on arm64, which has none, QEMU's virt board in the device tree),
 * and its hypervisor's CPUID signature ("" if none or unknown; "QEMU virt"
 * for that board). */
struct meta_virt {
	bool virtualised;
	char hypervisor[13];
};
void meta_host_virt(struct meta_virt *v);

/* A new record: schema, plan, the extra command line and the mitigations
 * it asks for ("off" if it says mitigations=off, else "default"), start
 * time, host (CPU, kernel, virtualised, hypervisor), arch (the host's),
 * QEMU version (x86_64's), compiler. */
json_t *meta_new_run(const char *plan, const char *append);
/* The guest's architecture ("x86_64", "arm64"; meta_new_run records the
 * host's own, for runs on the host) and the QEMU binary that boots it
 * (its version replaces qemu-system-x86_64's); for arm64 the compiler is
 * the cross compiler, aarch64-linux-gnu-gcc. */
void meta_set_arch(json_t *meta, const char *arch, const char *qemu);
/* For a kvm run: the host's KVM module and its parameters, "kvm":
 * {"module":"kvm_amd","nested":"1","npt":"Y"} (kvm_intel: ept); on
 * arm64 {"module":"kvm-arm","mode":"nvhe"} (kvm-arm.mode=, or "default"). */
void meta_set_kvm(json_t *meta);
/* The lab kernel's release and config hash, from its build directory. */
void meta_set_kernel(json_t *meta, const char *kobj);
void meta_set_outcome(json_t *meta, const char *name, int guest_status,
		      const char *reason);
/* Written atomically; dies on failure. */
void meta_write(json_t *meta, const char *path);

#endif
