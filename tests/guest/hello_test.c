/*
 * The hello family through every way into the kernel, with the kernel's
 * own kselftest harness. Every test runs once per way in (a fixture
 * variant); all of them must give the same answers. Built twice: x86_64
 * (syscall(2), syscall, int $0x80) and i386 (syscall(2), int $0x80, vDSO);
 * on arm64, arm64 and 32-bit arm (syscall(2), svc).
 *
 * Buffers come from mmap(MAP_32BIT): int $0x80 from a 64-bit process
 * passes 32-bit pointers.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lab_test.h"

LAB_DEFINE_MECHS()

#define PAGE 4096UL
#define KERNEL_HALF ((void *)(uintptr_t)(sizeof(long) == 8 ? 0xffffffff81000000UL : 0xffffe000UL))

FIXTURE(lab) {
	char *rw;	/* two read-write pages */
	char *ro;	/* a read-only page */
	char *gone;	/* a page that was unmapped */
	char *edge;	/* a read-write page followed by an inaccessible one */
};

/* hello()'s rate limit: printk_ratelimited()'s defaults (ratelimit_types.h). */
#define HELLO_BURST 10			/* lines at most in an interval */
#define HELLO_INTERVAL_MS 5000
#define HELLO_FLOOD 100			/* calls that would flood the log */

/* lab_transform()'s flags, every combination. */
static const unsigned int transform_combos[] = {
	0, LAB_TRANSFORM_UPPER, LAB_TRANSFORM_REVERSE,
	LAB_TRANSFORM_UPPER | LAB_TRANSFORM_REVERSE,
};

FIXTURE_VARIANT(lab) {
	const struct lab_mech *m;
};

LAB_MECH_VARIANTS(lab)

FIXTURE_SETUP(lab)
{
	self->rw = lab_map(2 * PAGE, PROT_READ | PROT_WRITE);
	self->ro = lab_map(PAGE, PROT_READ);
	self->gone = lab_map(PAGE, PROT_READ | PROT_WRITE);
	self->edge = lab_map(2 * PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, self->rw);
	ASSERT_NE(NULL, self->ro);
	ASSERT_NE(NULL, self->gone);
	ASSERT_NE(NULL, self->edge);
	ASSERT_EQ(0, munmap(self->gone, PAGE));
	ASSERT_EQ(0, mprotect(self->edge + PAGE, PAGE, PROT_NONE));
	memset(self->rw, 0xaa, 2 * PAGE);
	memset(self->edge, 0xaa, PAGE);
}

FIXTURE_TEARDOWN(lab)
{
	munmap(self->rw, 2 * PAGE);
	munmap(self->ro, PAGE);
	munmap(self->edge, 2 * PAGE);
}

static long nr_of(const struct lab_mech *m, long nr64, long nr32)
{
	return m->i386_numbers ? nr32 : nr64;
}

TEST_F(lab, null_returns_zero)
{
	EXPECT_EQ(0, variant->m->null());
}

/* A reader of the kernel log from now on. */
static int kmsg_open_at_end(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

struct kmsg_counts {
	int hello;	/* "hello: Hello world" */
	int suppressed;	/* "...: N callbacks suppressed" */
};

/* Reads the records logged since the last call; counts hello()'s lines. */
static struct kmsg_counts kmsg_read(int fd)
{
	struct kmsg_counts c = { 0, 0 };
	char rec[1024];
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		if (strstr(rec, ";hello: Hello world"))
			c.hello++;
		if (strstr(rec, "callbacks suppressed"))
			c.suppressed++;
	}
	return c;
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&t, &t) && errno == EINTR)
		;
}

/* Always 0, whether its line is printed or rate-limited away. */
TEST_F(lab, hello_returns_zero)
{
	for (int i = 0; i < 3; i++) {
		EXPECT_EQ(0, variant->m->hello());
	}
}

/*
 * hello(2): any user may call it, so its line is rate-limited: a flood of
 * calls prints at most a burst of lines in each interval (two intervals if
 * the flood straddles their boundary), and says how many it suppressed;
 * after a quiet interval one call prints its line again.
 */
TEST(hello_is_rate_limited)
{
	static const struct lab_mech *const all[] = LAB_ALL_MECHS;
	const int nall = sizeof(all) / sizeof(*all);
	struct kmsg_counts flood, after;
	int kmsg = kmsg_open_at_end();

	ASSERT_LE(0, kmsg);
	for (int i = 0; i < HELLO_FLOOD; i++) {
		ASSERT_EQ(0, all[i % nall]->hello());
	}
	flood = kmsg_read(kmsg);
	EXPECT_GE(2 * HELLO_BURST, flood.hello)
		TH_LOG("%d calls printed %d lines", HELLO_FLOOD, flood.hello);

	sleep_ms(HELLO_INTERVAL_MS + 500);
	EXPECT_EQ(0, all[0]->hello());
	after = kmsg_read(kmsg);
	EXPECT_EQ(1, after.hello)
		TH_LOG("one call after a quiet interval printed %d lines",
		       after.hello);
	EXPECT_LE(1, flood.suppressed + after.suppressed)
		TH_LOG("no \"callbacks suppressed\" line after %d calls",
		       HELLO_FLOOD);
	close(kmsg);
}

TEST_F(lab, greeting_copies_string_and_nothing_more)
{
	char *buf = self->rw;

	ASSERT_EQ(11, variant->m->greeting(buf, 64));
	EXPECT_STREQ("Hello world", buf);
	/* Past the NUL, the caller's bytes are untouched. */
	for (int i = 12; i < 64; i++)
		ASSERT_EQ(0xaa, (unsigned char)buf[i]);
	/* Exactly enough room. */
	EXPECT_EQ(11, variant->m->greeting(buf, 12));
}

TEST_F(lab, greeting_too_small_is_erange)
{
	EXPECT_EQ(-ERANGE, variant->m->greeting(self->rw, 11));
	EXPECT_EQ(-ERANGE, variant->m->greeting(self->rw, 0));
	EXPECT_EQ(-ERANGE, variant->m->greeting(NULL, 0));
	EXPECT_EQ(0xaa, (unsigned char)self->rw[0]);
}

TEST_F(lab, greeting_bad_pointers_are_efault)
{
	EXPECT_EQ(-EFAULT, variant->m->greeting(NULL, 64));
	EXPECT_EQ(-EFAULT, variant->m->greeting(self->gone, 64));
	EXPECT_EQ(-EFAULT, variant->m->greeting(self->ro, 64));
	EXPECT_EQ(-EFAULT, variant->m->greeting(KERNEL_HALF, 64));
	/* The string would straddle into an inaccessible page. */
	EXPECT_EQ(-EFAULT, variant->m->greeting(self->edge + PAGE - 4, 64));
}

/*
 * lab_greeting(2), EFAULT: the greeting is written from its first byte and
 * the copy stops at the first byte that cannot be written. The bytes before
 * it hold the start of the greeting, with no NUL; nothing else is written.
 */
TEST_F(lab, greeting_efault_leaves_the_bytes_before_the_fault)
{
	char *want = self->rw, *tail = self->edge + PAGE - 4;
	long len = variant->m->greeting(want, 64);

	ASSERT_LT(4, len);
	EXPECT_EQ(-EFAULT, variant->m->greeting(tail, 64));
	if (LAB_FAULT_COPY_EXACT) {
		EXPECT_EQ(0, memcmp(tail, want, 4))
			TH_LOG("the 4 bytes before the fault: \"%.4s\", not \"%.4s\"",
			       tail, want);
	} else {
		/* arm64: a prefix, at least a byte (lab_test.h says why). */
		int k = lab_prefix_then_fill(tail, want, 4, 0xaa);

		EXPECT_LE(1, k)
			TH_LOG("the 4 bytes before the fault: not a prefix of \"%.4s\" then 0xaa",
			       want);
	}
	EXPECT_EQ(0xaa, (unsigned char)tail[-1]);
	/* Starting on the inaccessible page: nothing anywhere. */
	EXPECT_EQ(-EFAULT, variant->m->greeting(self->edge + PAGE, 64));
	EXPECT_EQ(0xaa, (unsigned char)tail[-1]);
}

#if defined(__x86_64__) || defined(__aarch64__)
/*
 * lab_greeting(2), EFAULT: a range that runs past the end of user space is
 * refused before any byte is written, even where the start is writable.
 * With 4-level paging, user space ends at 2^47 - 4096: the page below is its
 * last. 64-bit pointers only (int $0x80 passes 32 bits). On arm64 it ends
 * at 2^VA_BITS, the kernel's configuration's (39 in the lab's, 48 in most
 * distributions'): the first such power of two above the stack, which
 * the kernel puts near the top of user space.
 */
TEST(greeting_past_the_end_of_user_space_writes_nothing)
{
	static const struct lab_mech *const all[] = LAB_ALL_MECHS;
#if defined(__x86_64__)
	const uintptr_t user_end = (1UL << 47) - PAGE;
#else
	static const int va_bits[] = { 36, 39, 42, 47, 48, 52 };
	uintptr_t user_end = 0, stack = (uintptr_t)__builtin_frame_address(0);

	for (size_t i = 0; i < sizeof(va_bits) / sizeof(*va_bits); i++)
		if (stack < 1UL << va_bits[i]) {
			user_end = 1UL << va_bits[i];
			break;
		}
	ASSERT_NE(0, user_end);
#endif
	char *high, *last, *end;

	high = mmap((void *)(user_end + PAGE), PAGE, PROT_READ,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (high != MAP_FAILED) {
		munmap(high, PAGE);
#if defined(__x86_64__)
		SKIP(return, "5-level paging: user space ends elsewhere");
#else
		SKIP(return, "user space goes on above %#lx", (unsigned long)user_end);
#endif
	}
	last = mmap((void *)(user_end - PAGE), PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (last == MAP_FAILED)
		SKIP(return, "the last page of user space is in use");
	ASSERT_EQ(user_end - PAGE, (uintptr_t)last);
	end = last + PAGE;
	memset(last, 0xaa, PAGE);
	for (size_t i = 0; i < sizeof(all) / sizeof(*all); i++) {
		if (all[i]->i386_numbers)
			continue;
		EXPECT_EQ(-EFAULT, all[i]->greeting(end - 4, 64));
		for (int j = 1; j <= 4; j++) {
			EXPECT_EQ(0xaa, (unsigned char)end[-j])
				TH_LOG("%s: the byte %d before the end was written",
				       all[i]->name, j);
		}
	}
	munmap(last, PAGE);
}
#endif

TEST_F(lab, transform_copies_and_transforms)
{
	char *in = self->rw, *out = self->rw + PAGE;

	memcpy(in, "Hello, Kernel", 13);
	EXPECT_EQ(13, variant->m->transform(in, out, 13, 0));
	EXPECT_EQ(0, memcmp(out, "Hello, Kernel", 13));
	EXPECT_EQ(13, variant->m->transform(in, out, 13, LAB_TRANSFORM_UPPER));
	EXPECT_EQ(0, memcmp(out, "HELLO, KERNEL", 13));
	EXPECT_EQ(13, variant->m->transform(in, out, 13, LAB_TRANSFORM_REVERSE));
	EXPECT_EQ(0, memcmp(out, "lenreK ,olleH", 13));
	EXPECT_EQ(13, variant->m->transform(in, out, 13, LAB_TRANSFORM_ALL));
	EXPECT_EQ(0, memcmp(out, "LENREK ,OLLEH", 13));
	EXPECT_EQ(0xaa, (unsigned char)out[13]);
	/* In place: source and destination may be the same buffer. */
	EXPECT_EQ(13, variant->m->transform(in, in, 13, LAB_TRANSFORM_REVERSE));
	EXPECT_EQ(0, memcmp(in, "lenreK ,olleH", 13));
}

/*
 * lab_transform(2): all 256 byte values, with every combination of flags,
 * against a reference computed here. UPPER changes 'a'..'z' to 'A'..'Z' and
 * no other byte; REVERSE puts the last byte first.
 */
TEST_F(lab, transform_every_byte_value)
{
	unsigned char *in = (unsigned char *)self->rw, *out = in + PAGE;
	unsigned char want[256];

	for (int i = 0; i < 256; i++)
		in[i] = (unsigned char)i;
	for (size_t c = 0; c < sizeof(transform_combos) /
				sizeof(*transform_combos); c++) {
		unsigned int flags = transform_combos[c];
		int bad;

		for (int i = 0; i < 256; i++) {
			unsigned char v = (unsigned char)i;

			if ((flags & LAB_TRANSFORM_UPPER) && v >= 'a' && v <= 'z')
				v = (unsigned char)(v - 'a' + 'A');
			want[(flags & LAB_TRANSFORM_REVERSE) ? 255 - i : i] = v;
		}
		memset(out, 0xaa, 257);
		ASSERT_EQ(256, variant->m->transform(in, out, 256, flags));
		for (bad = 0; bad < 256 && out[bad] == want[bad]; bad++)
			;
		EXPECT_EQ(256, bad)
			TH_LOG("flags %#x: output byte %d is %#x, not %#x",
			       flags, bad, out[bad], want[bad & 255]);
		EXPECT_EQ(0xaa, out[256]);
	}
	/* The source is only read. */
	for (int i = 0; i < 256; i++) {
		ASSERT_EQ(i, in[i]);
	}
}

TEST_F(lab, transform_length_limits)
{
	char *in = self->rw, *out = self->rw + PAGE;

	EXPECT_EQ(0, variant->m->transform(NULL, NULL, 0, 0));
	EXPECT_EQ(LAB_TRANSFORM_MAX,
		  variant->m->transform(in, out, LAB_TRANSFORM_MAX, 0));
	EXPECT_EQ(-EINVAL,
		  variant->m->transform(in, out, LAB_TRANSFORM_MAX + 1, 0));
	EXPECT_EQ(-EINVAL, variant->m->transform(in, out, (size_t)-1, 0));
	/* Sign bit set, in 32 bits too (int $0x80 passes only those). */
	EXPECT_EQ(-EINVAL,
		  variant->m->transform(in, out, (size_t)UINT32_MAX / 2 + 2, 0));
}

TEST_F(lab, transform_unknown_flags_are_einval)
{
	char *in = self->rw, *out = self->rw + PAGE;

	for (int bit = 0; bit < 32; bit++) {
		unsigned int flag = 1U << bit;

		if (flag & LAB_TRANSFORM_ALL)
			continue;
		ASSERT_EQ(-EINVAL, variant->m->transform(in, out, 1, flag))
			TH_LOG("flag bit %d was accepted", bit);
	}
	EXPECT_EQ(0xaa, (unsigned char)out[0]);
}

TEST_F(lab, transform_bad_pointers_are_efault)
{
	char *in = self->rw, *out = self->rw + PAGE;

	EXPECT_EQ(-EFAULT, variant->m->transform(NULL, out, 8, 0));
	EXPECT_EQ(-EFAULT, variant->m->transform(in, NULL, 8, 0));
	EXPECT_EQ(-EFAULT, variant->m->transform(self->gone, out, 8, 0));
	EXPECT_EQ(-EFAULT, variant->m->transform(in, self->gone, 8, 0));
	EXPECT_EQ(-EFAULT, variant->m->transform(in, self->ro, 8, 0));
	EXPECT_EQ(-EFAULT, variant->m->transform(KERNEL_HALF, out, 8, 0));
	EXPECT_EQ(-EFAULT, variant->m->transform(in, KERNEL_HALF, 8, 0));
	/* The last address plus a length wraps around: never a success. */
	EXPECT_EQ(-EFAULT, variant->m->transform((void *)(uintptr_t)-16, out,
						 64, 0));
}

/*
 * lab_transform(2), EFAULT: all of src is read before any of dst is
 * written. A copy out that faults part-way has written the transformed
 * bytes before the fault, and fails; a source that cannot be read in full
 * leaves dst as it was.
 */
TEST_F(lab, transform_partial_copies_are_not_success)
{
	char *in = self->rw, *out = self->rw + PAGE;
	char *tail = self->edge + PAGE - 8;

	memcpy(in, "abcdefghijklmnop", 16);
	/* Half of the output fits before the inaccessible page. */
	EXPECT_EQ(-EFAULT, variant->m->transform(in, tail, 16,
						 LAB_TRANSFORM_ALL));
	EXPECT_EQ(0, memcmp(tail, "PONMLKJI", 8))
		TH_LOG("before the fault: \"%.8s\"", tail);
	EXPECT_EQ(0xaa, (unsigned char)tail[-1]);
	/* Half of the input lies before it: nothing is written. */
	EXPECT_EQ(-EFAULT, variant->m->transform(tail, out, 16, 0));
	for (int i = 0; i < 16; i++) {
		ASSERT_EQ(0xaa, (unsigned char)out[i]);
	}
	/* Output that starts on the inaccessible page: nothing either. */
	EXPECT_EQ(-EFAULT, variant->m->transform(in, self->edge + PAGE, 16, 0));
	EXPECT_EQ(0xaa, (unsigned char)tail[-1]);
}

TEST_F(lab, set_greeting_round_trip)
{
	char *msg = self->rw, *buf = self->rw + PAGE;

	memcpy(msg, "Hi", 2);
	ASSERT_EQ(0, variant->m->set_greeting(msg, 2));
	EXPECT_EQ(2, variant->m->greeting(buf, 64));
	EXPECT_STREQ("Hi", buf);
	/* Nothing of the old, longer greeting comes out. */
	EXPECT_EQ(0xaa, (unsigned char)buf[3]);
	memcpy(msg, "Hello world", 11);
	ASSERT_EQ(0, variant->m->set_greeting(msg, 11));
}

TEST_F(lab, set_greeting_bad_input)
{
	char *msg = self->rw;

	memset(msg, 'x', LAB_GREETING_MAX);
	EXPECT_EQ(-EINVAL, variant->m->set_greeting(msg, 0));
	EXPECT_EQ(-EINVAL, variant->m->set_greeting(msg, LAB_GREETING_MAX));
	EXPECT_EQ(-EINVAL, variant->m->set_greeting(msg, (size_t)-1));
	memcpy(msg, "a\0b", 3);
	EXPECT_EQ(-EINVAL, variant->m->set_greeting(msg, 3));
	EXPECT_EQ(-EFAULT, variant->m->set_greeting(NULL, 5));
	EXPECT_EQ(-EFAULT, variant->m->set_greeting(self->gone, 5));
	EXPECT_EQ(-EFAULT, variant->m->set_greeting(KERNEL_HALF, 5));
	EXPECT_EQ(11, variant->m->greeting(self->rw + PAGE, 64));
}

/* The harness runs each test in its own child: dropping privileges here
 * touches no other test. */
TEST_F(lab, set_greeting_unprivileged_is_eperm)
{
	memcpy(self->rw, "pwned", 5);
	ASSERT_EQ(0, setgroups(0, NULL));
	ASSERT_EQ(0, setgid(65534));
	ASSERT_EQ(0, setuid(65534));
	EXPECT_EQ(-EPERM, variant->m->set_greeting(self->rw, 5));
	/* Permission is checked before the pointer is looked at. */
	EXPECT_EQ(-EPERM, variant->m->set_greeting(NULL, 5));
	EXPECT_EQ(11, variant->m->greeting(self->rw + PAGE, 64));
	EXPECT_STREQ("Hello world", self->rw + PAGE);
}

TEST_F(lab, numbers_without_a_syscall_are_enosys)
{
	const struct lab_mech *m = variant->m;

	EXPECT_EQ(-ENOSYS, m->raw(nr_of(m, LAB_NR64_COUNT, LAB_NR32_COUNT),
				  0, 0, 0, 0));
	EXPECT_EQ(-ENOSYS, m->raw(nr_of(m, LAB_NR64_COUNT, LAB_NR32_COUNT) +
				  1000, 0, 0, 0, 0));
	EXPECT_EQ(-ENOSYS, m->raw(nr_of(m, LAB_NR64_NO_ENTRY,
					LAB_NR32_NO_ENTRY), 0, 0, 0, 0));
	EXPECT_EQ(-ENOSYS, m->raw(-1, 0, 0, 0, 0));
}

/* One answer, whatever the way in. */
TEST(every_way_in_agrees)
{
	static const struct lab_mech *const all[] = LAB_ALL_MECHS;
	char *buf = lab_map(PAGE, PROT_READ | PROT_WRITE);
	long want_greet, want_tr;

	ASSERT_NE(NULL, buf);
	memcpy(buf, "agree", 5);
	want_greet = all[0]->greeting(buf + 64, 64);
	want_tr = all[0]->transform(buf, buf + 128, 5, LAB_TRANSFORM_ALL);
	for (size_t i = 0; i < sizeof(all) / sizeof(*all); i++) {
		char *out = buf + 256 + i * 256;

		EXPECT_EQ(0, all[i]->null());
		EXPECT_EQ(want_greet, all[i]->greeting(out, 64));
		EXPECT_STREQ(buf + 64, out);
		EXPECT_EQ(want_tr, all[i]->transform(buf, out + 64, 5,
						     LAB_TRANSFORM_ALL));
		EXPECT_EQ(0, memcmp(buf + 128, out + 64, 5));
		EXPECT_EQ(-EINVAL, all[i]->transform(buf, out, 1, 4));
		EXPECT_EQ(-EFAULT, all[i]->greeting(NULL, 64));
	}
	EXPECT_EQ(0, memcmp(buf + 128, "EERGA", 5));
	munmap(buf, PAGE);
}

TEST_HARNESS_MAIN
