/*
 * lab_ports.h: the names of the guest's result streams, one definition for
 * the guest's PID 1 (guest/init.c) and the host tool (host/status.c,
 * host/boot.c). Each stream is a virtio-serial port found by name (QEMU's
 * virtserialport name=, the guest's /sys/class/virtio-ports/X/name): on
 * arm64 all four; on x86_64 the status port alone, the other three being
 * serial ports ttyS1-3 in this order. On the host each stream is one file
 * of the run directory.
 */
#ifndef LAB_PORTS_H
#define LAB_PORTS_H

/* KTAP results */
#define LAB_PORT_KTAP "lab.ktap"
#define LAB_FILE_KTAP "ktap.txt"
/* benchmark rows (lab_row.h) */
#define LAB_PORT_ROWS "lab.rows"
#define LAB_FILE_ROWS "rows.jsonl"
/* facts: one JSON object a line */
#define LAB_PORT_FACTS "lab.facts"
#define LAB_FILE_FACTS "facts.jsonl"
/* PID 1's status line, written last:
 * {"status":N,"bytes":{"ktap":N,"rows":N,"facts":N}} */
#define LAB_PORT_STATUS "lab.status"
#define LAB_FILE_STATUS "status.json"

#endif
