/*
 * vdso_bytes: a 32-bit program reads the bytes of its own vDSO's
 * __kernel_vsyscall (AT_SYSINFO: the entry; AT_SYSINFO_EHDR: the image) and
 * writes them as one JSON object to the file it is given (make wiring's
 * plan copies that file to the facts port; the host disassembles them).
 * At boot the kernel patched this code with alternatives: "movl %esp,%ebp;
 * sysenter" where the CPU has X86_FEATURE_SYSENTER32 (Intel), "movl %ecx,
 * %ebp; syscall" where it has SYSCALL32 (AMD), else nothing, falling
 * through to int $0x80 (arch/x86/entry/vdso/vdso32/system_call.S).
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/auxv.h>

#define NBYTES 32

int main(int argc, char **argv)
{
	unsigned long entry = getauxval(AT_SYSINFO);
	unsigned long ehdr = getauxval(AT_SYSINFO_EHDR);
	const volatile uint8_t *p = (const volatile uint8_t *)entry;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: vdso_bytes FILE\n");
		return 2;
	}
	if (!entry || !ehdr) {
		printf("no AT_SYSINFO (%#lx) or AT_SYSINFO_EHDR (%#lx)\n", entry, ehdr);
		return 1;
	}
	f = fopen(argv[1], "w");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	fprintf(f, "{\"vdso32\":{\"sysinfo\":\"%#lx\",\"sysinfo_ehdr\":\"%#lx\","
		"\"offset\":\"%#lx\",\"bytes\":\"", entry, ehdr, entry - ehdr);
	printf("__kernel_vsyscall at %#lx (vDSO image at %#lx, offset %#lx):",
	       entry, ehdr, entry - ehdr);
	for (int i = 0; i < NBYTES; i++) {
		fprintf(f, "%02x", p[i]);
		printf(" %02x", p[i]);
	}
	fprintf(f, "\"}}\n");
	printf("\n");
	return fclose(f) ? 1 : 0;
}
