/*
 * lab_sysinfo() through every way into the kernel, with the kernel's own
 * kselftest harness: a 64-bit caller's layout (struct lab_sysinfo, 40
 * bytes) and a 32-bit caller's (struct lab_sysinfo32, 20 bytes: the
 * kernel's compat entry point) must give the same answers.
 *
 * Built twice. In the 64-bit program (x86_64: syscall(2), syscall, and
 * int $0x80, which from a 64-bit process enters the 32-bit table and its
 * compat entry; arm64: syscall(2), svc) and in the 32-bit one (i386:
 * syscall(2), int $0x80, vDSO; AArch32 on arm64: syscall(2), svc, all
 * through the compat entry) every way is checked against what the kernel
 * says elsewhere: CLOCK_BOOTTIME, /proc/meminfo's MemFree, the processes
 * in /proc, uname(). Both programs checked against the same references
 * agree with each other; on x86_64 the 64-bit program also puts the compat
 * entry beside the native one in one process.
 *
 * Two calls cannot always give the same figures: the uptime is compared
 * as lying between two readings taken around the call, free memory within
 * FREE_SLACK_KIB, the number of processes within PROCS_SLACK (a kernel
 * thread may start or end between two readings). The release string and
 * the caller's own buffer address and size must be the same, byte for byte.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lab_test.h"

LAB_DEFINE_MECHS()

/* The two layouts, as the kernel's struct lab_sysinfo and its compat one. */
_Static_assert(sizeof(struct lab_sysinfo32) == 20, "the 32-bit layout");
_Static_assert(sizeof(struct lab_sysinfo) == (sizeof(long) == 8 ? 40 : 20),
	       "a 64-bit program's layout, or a 32-bit one's");

#define PAGE 4096UL
#define KERNEL_HALF ((uintptr_t)(sizeof(long) == 8 ? 0xffffffff81000000UL : 0xffffe000UL))
#define FREE_SLACK_KIB 2048UL	/* free memory, between two readings */
#define PROCS_SLACK 2UL		/* processes, between two readings */
#define FILL 0xa5		/* what the kernel must not have written */

/* An answer, whatever the layout it came in. */
struct answer {
	long ret;
	int64_t uptime;
	uint64_t freeram, procs, release, release_size;
};

FIXTURE(sysinfo) {
	char *rw;	/* a read-write page: the structure, then the buffer */
	char *ro;	/* a read-only page */
	char *gone;	/* a page that was unmapped */
	char *edge;	/* a read-write page followed by an inaccessible one */
	struct utsname uts;
};

FIXTURE_VARIANT(sysinfo) {
	const struct lab_mech *m;
};

LAB_MECH_VARIANTS(sysinfo)

FIXTURE_SETUP(sysinfo)
{
	self->rw = lab_map(PAGE, PROT_READ | PROT_WRITE);
	self->ro = lab_map(PAGE, PROT_READ);
	self->gone = lab_map(PAGE, PROT_READ | PROT_WRITE);
	self->edge = lab_map(2 * PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, self->rw);
	ASSERT_NE(NULL, self->ro);
	ASSERT_NE(NULL, self->gone);
	ASSERT_NE(NULL, self->edge);
	ASSERT_EQ(0, munmap(self->gone, PAGE));
	ASSERT_EQ(0, mprotect(self->edge + PAGE, PAGE, PROT_NONE));
	ASSERT_EQ(0, uname(&self->uts));
	memset(self->rw, FILL, PAGE);
}

FIXTURE_TEARDOWN(sysinfo)
{
	munmap(self->rw, PAGE);
	munmap(self->ro, PAGE);
	munmap(self->edge, 2 * PAGE);
}

/* m passes the 32-bit layout: every way of a 32-bit program, and int $0x80. */
static int layout32(const struct lab_mech *m)
{
	return sizeof(long) == 4 || m->i386_numbers;
}

static size_t layout_size(const struct lab_mech *m)
{
	return layout32(m) ? sizeof(struct lab_sysinfo32) : sizeof(struct lab_sysinfo);
}

/* At p, in m's layout: every figure FILL, the buffer rel and its size. */
static void request(const struct lab_mech *m, void *p, uintptr_t rel,
		    unsigned long size)
{
	memset(p, FILL, layout_size(m));
	if (layout32(m)) {
		struct lab_sysinfo32 *s = p;

		s->release = (uint32_t)rel;
		s->release_size = (uint32_t)size;
	} else {
		struct lab_sysinfo *s = p;

		s->release = rel;
		s->release_size = size;
	}
}

static long call(const struct lab_mech *m, void *info, unsigned int flags)
{
	long nr = m->i386_numbers ? LAB_NR32_lab_sysinfo : LAB_NR64_lab_sysinfo;

	return m->raw(nr, (long)(uintptr_t)info, (long)flags, 0, 0);
}

/* lab_sysinfo(info, flags) through m, info read back in m's layout. */
static struct answer ask(const struct lab_mech *m, void *info, unsigned int flags)
{
	struct answer a = { .ret = call(m, info, flags) };

	if (layout32(m)) {
		const struct lab_sysinfo32 *s = info;

		a = (struct answer){ a.ret, s->uptime, s->freeram, s->procs,
				     s->release, s->release_size };
	} else {
		const struct lab_sysinfo *s = info;

		a = (struct answer){ a.ret, s->uptime, s->freeram, s->procs,
				     s->release, s->release_size };
	}
	return a;
}

/* The figures of a layout that nothing wrote: every byte FILL. */
static int untouched(const struct lab_mech *m, const void *info)
{
	size_t n = layout32(m) ? offsetof(struct lab_sysinfo32, release)
			       : offsetof(struct lab_sysinfo, release);

	for (size_t i = 0; i < n; i++)
		if (((const unsigned char *)info)[i] != FILL)
			return 0;
	return 1;
}

static uint64_t proc_meminfo_kib(const char *key)
{
	char line[128];
	uint64_t v = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			sscanf(line + strlen(key), " %llu", (unsigned long long *)&v);
	if (f)
		fclose(f);
	return v;
}

/* Processes as /proc lists them: one directory per thread group. */
static uint64_t proc_count(void)
{
	uint64_t n = 0;
	struct dirent *d;
	DIR *dir = opendir("/proc");

	while (dir && (d = readdir(dir)))
		n += isdigit((unsigned char)d->d_name[0]) != 0;
	if (dir)
		closedir(dir);
	return n;
}

static uint64_t dist(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

/* Every figure against what the kernel says elsewhere. */
TEST_F(sysinfo, figures_agree_with_proc_and_clock)
{
	struct timespec t0, t1;
	uint64_t free0, free1, procs;
	struct answer a;

	free0 = proc_meminfo_kib("MemFree:");
	procs = proc_count();
	request(variant->m, self->rw, 0, 0);
	ASSERT_EQ(0, clock_gettime(CLOCK_BOOTTIME, &t0));
	a = ask(variant->m, self->rw, 0);
	ASSERT_EQ(0, clock_gettime(CLOCK_BOOTTIME, &t1));
	free1 = proc_meminfo_kib("MemFree:");
	ASSERT_EQ(0, a.ret);
	EXPECT_GE(a.uptime, t0.tv_sec);
	EXPECT_LE(a.uptime, t1.tv_sec);
	ASSERT_NE(0, free0);
	EXPECT_LE(dist(a.freeram, free0), FREE_SLACK_KIB);
	EXPECT_LE(dist(a.freeram, free1), FREE_SLACK_KIB);
	EXPECT_LE(dist(a.procs, procs), PROCS_SLACK);
	EXPECT_EQ(0, a.release);
	EXPECT_EQ(0, a.release_size);
}

/*
 * This way beside syscall(2) in this program's own layout, just before and
 * after: in the 64-bit x86 program, the compat entry (int $0x80) beside the
 * native one.
 */
TEST_F(sysinfo, same_answer_as_the_native_layout)
{
	const struct lab_mech *m = variant->m;
	char *info = self->rw, *rel = self->rw + 256, *ref = self->rw + 512;
	struct answer before, a, after;

	request(&mech_glibc, ref, (uintptr_t)rel, 128);
	before = ask(&mech_glibc, ref, 0);
	ASSERT_EQ((long)strlen(self->uts.release), before.ret);
	ASSERT_STREQ(self->uts.release, rel);
	memset(rel, FILL, 128);
	request(m, info, (uintptr_t)rel, 128);
	a = ask(m, info, 0);
	request(&mech_glibc, ref, 0, 0);
	after = ask(&mech_glibc, ref, 0);
	ASSERT_EQ(before.ret, a.ret);
	ASSERT_EQ(0, after.ret);
	EXPECT_STREQ(self->uts.release, rel);
	EXPECT_EQ(FILL, (unsigned char)rel[a.ret + 1]);
	/* the buffer's address and size come back as given */
	EXPECT_EQ((uintptr_t)rel, a.release);
	EXPECT_EQ(128, a.release_size);
	EXPECT_GE(a.uptime, before.uptime);
	EXPECT_LE(a.uptime, after.uptime);
	EXPECT_LE(dist(a.freeram, before.freeram), FREE_SLACK_KIB);
	EXPECT_LE(dist(a.freeram, after.freeram), FREE_SLACK_KIB);
	EXPECT_LE(dist(a.procs, before.procs), PROCS_SLACK);
	EXPECT_LE(dist(a.procs, after.procs), PROCS_SLACK);
	/* nothing past the caller's structure */
	EXPECT_EQ(FILL, (unsigned char)info[layout_size(m)]);
}

/* The release string's exact fit, and one byte short of it. */
TEST_F(sysinfo, release_buffer_sizes)
{
	const struct lab_mech *m = variant->m;
	size_t len = strlen(self->uts.release);
	char *rel = self->rw + 256;

	request(m, self->rw, (uintptr_t)rel, len + 1);
	EXPECT_EQ((long)len, ask(m, self->rw, 0).ret);
	EXPECT_STREQ(self->uts.release, rel);
	memset(rel, FILL, 128);
	request(m, self->rw, (uintptr_t)rel, len);
	EXPECT_EQ(-ERANGE, ask(m, self->rw, 0).ret);
	EXPECT_EQ(FILL, (unsigned char)rel[0]);
	EXPECT_TRUE(untouched(m, self->rw));
	/* the largest size accepted: the string fits, nothing else written */
	request(m, self->rw, (uintptr_t)rel, LAB_SYSINFO_RELEASE_MAX - 256);
	EXPECT_EQ((long)len, ask(m, self->rw, 0).ret);
	EXPECT_EQ(FILL, (unsigned char)rel[len + 1]);
}

/* Lengths and flags the call refuses, before it writes anything. */
TEST_F(sysinfo, bad_lengths_and_flags_are_einval)
{
	const struct lab_mech *m = variant->m;
	uintptr_t rel = (uintptr_t)(self->rw + 256);
	const unsigned long sizes[] = { 0, LAB_SYSINFO_RELEASE_MAX + 1,
					0x80000000UL, 0xffffffffUL };

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		request(m, self->rw, rel, sizes[i]);
		EXPECT_EQ(-EINVAL, ask(m, self->rw, 0).ret);
		EXPECT_TRUE(untouched(m, self->rw));
	}
	request(m, self->rw, 0, 64);	/* a size without a buffer */
	EXPECT_EQ(-EINVAL, ask(m, self->rw, 0).ret);
	EXPECT_TRUE(untouched(m, self->rw));
	for (int bit = 0; bit < 32; bit++) {
		request(m, self->rw, 0, 0);
		EXPECT_EQ(-EINVAL, ask(m, self->rw, 1U << bit).ret);
		EXPECT_TRUE(untouched(m, self->rw));
	}
	EXPECT_EQ(FILL, (unsigned char)self->rw[256]);
}

/* The structure itself where the kernel cannot read or write it. */
TEST_F(sysinfo, bad_structure_is_efault)
{
	const struct lab_mech *m = variant->m;
	char *straddle = self->edge + PAGE - layout_size(m) / 2;

	EXPECT_EQ(-EFAULT, call(m, NULL, 0));
	EXPECT_EQ(-EFAULT, call(m, self->gone, 0));
	EXPECT_EQ(-EFAULT, call(m, (void *)KERNEL_HALF, 0));
	EXPECT_EQ(-EFAULT, call(m, straddle, 0));
	/* readable, not writable: the figures cannot go back */
	EXPECT_EQ(-EFAULT, call(m, self->ro, 0));
}

/* The buffer where the kernel cannot write the string. */
TEST_F(sysinfo, bad_buffer_is_efault)
{
	const struct lab_mech *m = variant->m;
	const uintptr_t bufs[] = {
		(uintptr_t)self->gone, (uintptr_t)self->ro, KERNEL_HALF,
		/* 4 bytes before the inaccessible page: the string is longer */
		(uintptr_t)(self->edge + PAGE - 4),
	};

	for (size_t i = 0; i < ARRAY_SIZE(bufs); i++) {
		request(m, self->rw, bufs[i], 128);
		EXPECT_EQ(-EFAULT, ask(m, self->rw, 0).ret);
		EXPECT_TRUE(untouched(m, self->rw));
	}
#if UINTPTR_MAX > 0xffffffffU
	if (!layout32(m)) {
		/* a 64-bit caller's address is all 64 bits: no truncation */
		request(m, self->rw, (uintptr_t)(self->rw + 256) | (1UL << 47), 128);
		EXPECT_EQ(-EFAULT, ask(m, self->rw, 0).ret);
	}
#endif
}

TEST_HARNESS_MAIN
