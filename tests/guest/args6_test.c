// SPDX-License-Identifier: GPL-2.0-only
/*
 * Six arguments through every way into the kernel (lab_MECH_call6(), which
 * the wrappers of a call with five or six arguments use): mmap() of the
 * second page of a file, whose descriptor is the fifth argument and whose
 * offset the sixth (ebp through int $0x80 and __kernel_vsyscall, r9 with
 * syscall, x5 / r5 with svc). A sixth argument lost or left as it was reads
 * the first page instead, or fails.
 *
 * The 32-bit tables (i386's, from a 64-bit process too, and AArch32's) take
 * mmap2(), whose offset counts 4096-byte units; the 64-bit ones mmap(),
 * whose offset counts bytes. The mapping replaces a page lab_map() placed
 * below 2 GiB on x86_64, so that int $0x80's 32-bit answer is the address.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lab_test.h"

/* This ABI's call, and the bytes its offset counts. */
#if defined(__x86_64__)
#define MMAP_NATIVE	__NR_mmap
#define MMAP_UNIT	1
#define MMAP2_I386	192	/* i386's mmap2 (syscall_32.tbl), for int $0x80 */
#elif defined(__aarch64__)
#define MMAP_NATIVE	__NR_mmap
#define MMAP_UNIT	1
#else
#define MMAP_NATIVE	__NR_mmap2	/* i386's and AArch32's */
#define MMAP_UNIT	4096
#endif

LAB_DEFINE_MECHS()

FIXTURE(args6) {
	int fd;
	long page;
	char *at;	/* a page of ours, replaced by the mapping */
};

FIXTURE_VARIANT(args6) {
	const struct lab_mech *m;
};

LAB_MECH_VARIANTS(args6)

FIXTURE_SETUP(args6)
{
	self->page = sysconf(_SC_PAGESIZE);
	char path[] = "/tmp/args6.XXXXXX";

	/* A file of the guest's root (the lab kernel has no memfd_create()). */
	self->fd = mkstemp(path);
	ASSERT_LE(0, self->fd);
	unlink(path);
	ASSERT_EQ(0, ftruncate(self->fd, 2 * self->page));
	ASSERT_EQ(1, pwrite(self->fd, "A", 1, 0));
	ASSERT_EQ(1, pwrite(self->fd, "B", 1, self->page));
	self->at = lab_map(self->page, PROT_READ);
	ASSERT_NE(NULL, self->at);
}

FIXTURE_TEARDOWN(args6)
{
	munmap(self->at, self->page);
	close(self->fd);
}

/* The number and the sixth argument for the second page, by the way in's table. */
static long mmap_nr(const struct lab_mech *m, long page, long *offset)
{
#if defined(__x86_64__)
	if (m->i386_numbers) {
		*offset = page / 4096;
		return MMAP2_I386;
	}
#endif
	(void)m;
	*offset = page / MMAP_UNIT;
	return MMAP_NATIVE;
}

TEST_F(args6, mmap_offset_is_the_sixth)
{
	long offset, nr = mmap_nr(variant->m, self->page, &offset);
	long r = variant->m->raw6(nr, (long)self->at, self->page, PROT_READ,
				  MAP_SHARED | MAP_FIXED, self->fd, offset);

	TH_LOG("mmap through %s: %#lx (asked for %p)", variant->m->name, r,
	       (void *)self->at);
	ASSERT_EQ((long)self->at, r);
	EXPECT_EQ('B', self->at[0]);
}

TEST_HARNESS_MAIN
