/*
 * status.h: how an arm64 guest's streams reach the host, and its status.
 * arm64's virt machine has no isa-debug-exit: the streams are virtio-serial
 * ports (the guest finds them by name) written into files of the run
 * directory, and PID 1's last act is one line on lab.status,
 *   {"status":N,"bytes":{"ktap":N,"rows":N,"facts":N}}
 * before it powers off (QEMU then exits 0, whatever happened).
 */
#ifndef LAB_STATUS_H
#define LAB_STATUS_H

#include <stddef.h>

#include "boot.h"

/* The ports, in the order of the line's byte counts; the status port last. */
struct port_file {
	const char *id, *port, *file;
};
extern const struct port_file arm64_ports[];
#define ARM64_NPORTS 4

/*
 * After QEMU exited 0: the guest's status from dir/status.json. Fills r:
 * OK or FAILED only for exactly one well-formed line whose byte counts are
 * what the host's files hold; NO_STATUS or LOST, with why, otherwise.
 */
void arm64_status(const char *dir, struct boot_result *r);

#endif
