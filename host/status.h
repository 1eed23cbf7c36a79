/*
 * status.h: how a guest's status reaches the host. PID 1's last act is one
 * line on a virtio-serial port named lab.status (the file status.json),
 *   {"status":N,"bytes":{"ktap":N,"rows":N,"facts":N}}
 * before it ends the machine (QEMU then exits 0, whatever happened). On
 * arm64 (the virt machine has one PL011, the console) the streams are
 * virtio-serial ports too, found by name; on x86_64 they are serial ports
 * ttyS1-3 and the status port is on virtio-serial-pci. The same line on
 * both: under KVM nested in QEMU's TCG, x86's isa-debug-exit could not be
 * reached from user space, and QEMU's own failure (exit 1) read as its
 * "status 0".
 */
#ifndef LAB_STATUS_H
#define LAB_STATUS_H

#include <stddef.h>

#include "boot.h"

/* arm64's ports, in the order of the line's byte counts; the status port
 * last (x86_64's only virtio-serial port). */
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
void status_line_read(const char *dir, struct boot_result *r);

#endif
