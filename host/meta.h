/*
 * meta.h: what a run records about itself when it happens (meta.json in
 * the run directory): the host, QEMU, the compiler, the lab kernel, the
 * mode, the mitigations, the plan and how it ended. A report written later,
 * or elsewhere, reads these; it never probes the machine it runs on.
 */
#ifndef LAB_META_H
#define LAB_META_H

#include <jansson.h>

#define META_SCHEMA "lab-run/1"

/* A new record: schema, plan, the extra command line and the mitigations
 * it asks for ("off" if it says mitigations=off, else "default"), start
 * time, host (CPU, kernel), QEMU version, compiler. */
json_t *meta_new_run(const char *plan, const char *append);
/* The lab kernel's release and config hash, from its build directory. */
void meta_set_kernel(json_t *meta, const char *kobj);
void meta_set_outcome(json_t *meta, const char *name, int guest_status,
		      const char *reason);
/* Written atomically; dies on failure. */
void meta_write(json_t *meta, const char *path);

#endif
