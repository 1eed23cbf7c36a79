/*
 * boot.h: one boot of a lab kernel under QEMU, supervised.
 *
 * QEMU is this process's child, in a process group of its own, and dies
 * with it (PR_SET_PDEATHSIG): a timeout, a kernel in trouble, Ctrl-C or
 * SIGTERM kills it, and no QEMU outlives the run. The console is read as a
 * stream, line by line, and the boot stops at the first line that shows
 * the kernel in trouble (include/lab/lab_trouble.h). The run directory is the
 * run's alone: emptied first, then holding
 *
 *   console.log   the console (x86_64: ttyS0; arm64: the PL011, ttyAMA0)
 *   ktap.txt      the results (KTAP, from the guest's PID 1)
 *   rows.jsonl    benchmark rows (include/lab/lab_row.h)
 *   facts.jsonl   facts about the guest kernel
 *   status.json   the guest's status line (see below)
 *   qemu.log      QEMU's own messages
 *   meta.json     written when the run happens: host (and whether it is
 *                 itself a virtual machine), arch, QEMU and its command
 *                 line, mode and the label its times carry (mode_label:
 *                 kvm-nested on a virtual host), the host's KVM module and
 *                 its nested and paging parameters (kvm runs), the KVM
 *                 probe's answer and seconds (auto), mitigations, kernel,
 *                 plan, outcome
 *
 * x86_64 (qemu-system-x86_64 -M pc): the streams are serial ports ttyS1-3.
 * arm64 (qemu-system-aarch64 -M virt -cpu cortex-a72 under TCG; -cpu host
 * with -accel kvm only where the lab tool itself runs on arm64, as in make
 * test-kvm's arm64 L1): the virt machine has one PL011, the console; the streams are
 * virtio-serial ports (virtio-mmio) named lab.ktap, lab.rows and lab.facts,
 * each a -chardev file.
 *
 * On both, PID 1 writes one line on a virtio-serial port named lab.status
 * (x86_64: virtio-serial-pci), last,
 *
 *   {"status":N,"bytes":{"ktap":N,"rows":N,"facts":N}}
 *
 * and ends the machine (x86_64: a reboot, arm64: PSCI SYSTEM_OFF; QEMU
 * exits 0, as it does after a panic with -no-reboot). So the boot counts as
 * finished only when QEMU exited 0 and status.json holds exactly that line,
 * well formed, with the byte counts of the files the host has: no line, a
 * malformed one, or a count that differs (output lost on the way) is a
 * failed boot (status.h says why not isa-debug-exit).
 */
#ifndef LAB_BOOT_H
#define LAB_BOOT_H

#include <stdbool.h>

/* The most vCPUs a boot may ask for (QEMU's pc machine and the kernel's
 * NR_CPUS allow more; the lab has no use for them). */
#define LAB_SMP_MAX 64

/* arm64's virt machine with its default GICv2: at most 8 vCPUs. */
#define LAB_SMP_MAX_ARM64 8

enum lab_mode { MODE_AUTO, MODE_TCG, MODE_KVM, MODE_ICOUNT, MODE_HOST };

/* The guest's architecture (the zero value is x86_64). */
enum lab_arch { ARCH_X86_64, ARCH_ARM64 };

enum lab_outcome {
	OUTCOME_OK,		/* the guest finished and said 0 */
	OUTCOME_FAILED,		/* the guest finished and said a step failed */
	OUTCOME_TIMEOUT,	/* no end within the time limit */
	OUTCOME_TROUBLE,	/* panic, oops, BUG, WARNING on the console */
	OUTCOME_NO_STATUS,	/* QEMU ended without the guest's status */
	OUTCOME_INTERRUPTED,	/* SIGINT, SIGTERM or SIGHUP */
	OUTCOME_ERROR,		/* QEMU could not be started */
	OUTCOME_LOST,		/* arm64: the guest's status says it sent
				 * more (or less) than the host has */
};

struct boot_opts {
	const char *kernel, *initrd, *plan, *out;
	const char *append;	/* more kernel command line, or NULL */
	const char *gdb;	/* a gdbstub on this Unix socket, QEMU stopped
				 * at the first instruction; or NULL */
	enum lab_mode mode;
	enum lab_arch arch;
	unsigned int smp;	/* vCPUs; 0 means 1. Measurements use 1; make
				 * test's race tests 2. */
	unsigned int timeout_s;
	const char *probe_cache; /* where auto keeps the KVM probe's answer */
	const char *kobj;	/* the kernel's build directory (for meta.json), or NULL */
};

struct boot_result {
	enum lab_outcome outcome;
	int guest_status;	/* with OK and FAILED */
	enum lab_mode mode;	/* the mode it ran in (auto resolved) */
	char reason[512];	/* one line, for anything but OK */
};

const char *mode_name(enum lab_mode m);
/* The name a run's times are labelled with: the mode's, but KVM on a host
 * that is itself a virtual machine (the CPU's hypervisor flag) is
 * "kvm-nested": its times are not hardware times. */
#define MODE_LABEL_KVM_NESTED "kvm-nested"
const char *host_mode_label(enum lab_mode m);
/* -1 for a name that is no mode. */
int mode_parse(const char *name);
const char *outcome_name(enum lab_outcome o);
/* "x86_64" or "arm64". */
const char *arch_name(enum lab_arch a);
/* -1 for a name that is no architecture the lab boots. */
int arch_parse(const char *name);
/* NULL if mode can run a guest of arch here, else why not (one line):
 * kvm needs a guest of the architecture the tool was built for. */
const char *arch_mode_refusal(enum lab_arch a, enum lab_mode m);

/* Boots once; fills *r. Returns 0 when the guest finished (OK or FAILED),
 * -1 otherwise. Dies only on bad options. */
int lab_boot(const struct boot_opts *o, struct boot_result *r);

/*
 * Runs argv (a QEMU whose console is its standard output) supervised, as
 * lab_boot does: dir/console.log and dir/qemu.log, killed at timeout_s
 * (the reason names what), at a kernel-trouble line on the console, or on
 * a signal. Returns QEMU's exit code when it ended by itself and showed no
 * trouble, and fills r then only for a non-zero code (NO_STATUS, ERROR);
 * -1 after filling r (TIMEOUT, TROUBLE, INTERRUPTED, ERROR). The guest's
 * status after an exit 0 is the caller's to read.
 */
int qemu_supervised(char *const *argv, const char *dir, unsigned int timeout_s,
		    const char *what, struct boot_result *r);

/* A path as a -chardev option's value (malloc'd): QEMU's options double
 * a comma. */
char *qemu_opt_escape(const char *path);

/* Set by the signal handler: the whole job should stop. */
extern volatile int lab_interrupted;
void boot_install_signals(void);

#endif
