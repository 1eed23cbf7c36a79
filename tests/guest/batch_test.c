/*
 * lab_batch(2) through every way into the kernel, with the kernel's own
 * kselftest harness. Every test runs once per way in (a fixture variant);
 * all of them must give the same answers. Built twice: x86_64 (syscall(2),
 * syscall, int $0x80) and i386 (syscall(2), int $0x80, vDSO); on arm64,
 * arm64 and 32-bit arm (syscall(2), svc).
 *
 * What is checked besides each record's result: that the kernel writes
 * the result field of the records it processed and nothing else, and no
 * record past the last it processed (every test keeps a copy of the array
 * from before the call and compares); and that a record it did not run
 * had no effect (a greeting it would have set, bytes it would have
 * written).
 *
 * Records and buffers come from mmap(MAP_32BIT): int $0x80 from a 64-bit
 * process passes 32-bit pointers (the pointers inside records are 64 bits
 * wide whatever the way in).
 */
#define _GNU_SOURCE
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lab_test.h"

LAB_DEFINE_MECHS()

#define PAGE 4096UL
#define KERNEL_HALF ((void *)(uintptr_t)(sizeof(long) == 8 ? 0xffffffff81000000UL : 0xffffe000UL))
/* A record's pointers are 64 bits wide: a 32-bit caller can name this too. */
#define KERNEL_ADDR 0xffffffff81000000ULL

/* Enough pages for LAB_BATCH_MAX + 1 records. */
#define RECS_PAGES 13
/* A result the kernel never writes: a record still holding it was not. */
#define POISON ((__s64)0x5a5a5a5a5a5a5a5aLL)
#define RESULT_OFF offsetof(struct lab_batch_rec, result)

/* One layout for every ABI: the i386 entry translates nothing. */
_Static_assert(sizeof(struct lab_batch_rec) == 48, "record size");
_Static_assert(offsetof(struct lab_batch_rec, args) == 8, "args offset");
_Static_assert(RESULT_OFF == 40, "result offset");
_Static_assert((LAB_BATCH_MAX + 1) * sizeof(struct lab_batch_rec) <=
	       RECS_PAGES * PAGE, "RECS_PAGES");

static const char default_greeting[] = "Hello world";

FIXTURE(batch) {
	struct lab_batch_rec *recs;	/* RECS_PAGES read-write pages */
	char *in;	/* a read-write page: a source, "Hello, Kernel" */
	char *out;	/* a read-write page: 128-byte output slots */
	char *msg;	/* a read-write page: greetings to set */
	char *scratch;	/* a read-write page */
	char *ro;	/* a read-only page */
	char *gone;	/* a page that was unmapped */
	char *edge;	/* a read-write page followed by a PROT_NONE one */
	char *rwro;	/* a read-write page followed by a read-only one */
};

FIXTURE_VARIANT(batch) {
	const struct lab_mech *m;
};

LAB_MECH_VARIANTS(batch)

/* In msg: "pwned" (a greeting no test may let through), and others. */
#define MSG_PWNED(s) ((s)->msg)
#define MSG_BATCH(s) ((s)->msg + 64)
#define MSG_DEFAULT(s) ((s)->msg + 128)
#define MSG_NUL(s) ((s)->msg + 192)
#define OUT(s, i) ((s)->out + (i) * 128)

FIXTURE_SETUP(batch)
{
	self->recs = lab_map(RECS_PAGES * PAGE, PROT_READ | PROT_WRITE);
	self->in = lab_map(PAGE, PROT_READ | PROT_WRITE);
	self->out = lab_map(PAGE, PROT_READ | PROT_WRITE);
	self->msg = lab_map(PAGE, PROT_READ | PROT_WRITE);
	self->scratch = lab_map(PAGE, PROT_READ | PROT_WRITE);
	self->ro = lab_map(PAGE, PROT_READ);
	self->gone = lab_map(PAGE, PROT_READ | PROT_WRITE);
	self->edge = lab_map(2 * PAGE, PROT_READ | PROT_WRITE);
	self->rwro = lab_map(2 * PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, self->recs);
	ASSERT_NE(NULL, self->in);
	ASSERT_NE(NULL, self->out);
	ASSERT_NE(NULL, self->msg);
	ASSERT_NE(NULL, self->scratch);
	ASSERT_NE(NULL, self->ro);
	ASSERT_NE(NULL, self->gone);
	ASSERT_NE(NULL, self->edge);
	ASSERT_NE(NULL, self->rwro);
	ASSERT_EQ(0, munmap(self->gone, PAGE));
	ASSERT_EQ(0, mprotect(self->edge + PAGE, PAGE, PROT_NONE));
	ASSERT_EQ(0, mprotect(self->rwro + PAGE, PAGE, PROT_READ));
	memset(self->recs, 0xaa, RECS_PAGES * PAGE);
	memset(self->out, 0xaa, PAGE);
	memset(self->edge, 0xaa, PAGE);
	memset(self->rwro, 0xaa, PAGE);
	memcpy(self->in, "Hello, Kernel", 13);
	memcpy(MSG_PWNED(self), "pwned", 5);
	memcpy(MSG_BATCH(self), "Batch", 5);
	memcpy(MSG_DEFAULT(self), default_greeting, 11);
	memcpy(MSG_NUL(self), "a\0b", 3);
}

/*
 * Tests that change the greeting leave the default behind for the others,
 * even when they fail part-way (teardown runs after a failed ASSERT too).
 * In a test that dropped its privileges this fails, and changes nothing.
 */
FIXTURE_TEARDOWN(batch)
{
	variant->m->set_greeting(MSG_DEFAULT(self), 11);
	munmap(self->recs, RECS_PAGES * PAGE);
	munmap(self->in, PAGE);
	munmap(self->out, PAGE);
	munmap(self->msg, PAGE);
	munmap(self->scratch, PAGE);
	munmap(self->ro, PAGE);
	munmap(self->edge, 2 * PAGE);
	munmap(self->rwro, 2 * PAGE);
}

/* The fixture's data, under a name its helpers can take. */
#define BATCH_SELF FIXTURE_DATA(batch)

static __u64 uptr(const void *p)
{
	return (uintptr_t)p;
}

static struct lab_batch_rec rec(__u32 op, __u64 a0, __u64 a1, __u64 a2,
				__u64 a3)
{
	return (struct lab_batch_rec){ .op = op, .args = { a0, a1, a2, a3 },
				       .result = POISON };
}

/* The same call as @r, made on its own through @m. */
static long single(const struct lab_mech *m, const struct lab_batch_rec *r)
{
	void *a0 = (void *)(uintptr_t)r->args[0];
	void *a1 = (void *)(uintptr_t)r->args[1];

	switch (r->op) {
	case LAB_BATCH_NULL:
		return m->null();
	case LAB_BATCH_HELLO:
		return m->hello();
	case LAB_BATCH_GREETING:
		return m->greeting(a0, (size_t)r->args[1]);
	case LAB_BATCH_SET_GREETING:
		return m->set_greeting(a0, (size_t)r->args[1]);
	case LAB_BATCH_TRANSFORM:
		return m->transform(a0, a1, (size_t)r->args[2],
				    (unsigned int)r->args[3]);
	}
	return -EINVAL;
}

/*
 * After a batch that processed @done of the @n records at @now (@before: a
 * copy taken before the call): each processed record differs at most in
 * its result, every other record not at all.
 */
static void expect_written(struct __test_metadata *_metadata,
			   const struct lab_batch_rec *now,
			   const struct lab_batch_rec *before, unsigned int n,
			   unsigned int done)
{
	for (unsigned int i = 0; i < n; i++) {
		size_t len = i < done ? RESULT_OFF : sizeof(*now);

		EXPECT_EQ(0, memcmp(&now[i], &before[i], len))
			TH_LOG("record %u of %u (%u processed): %s was written",
			       i, n, done, i < done ?
			       "a field other than result" : "the record");
	}
}

static void expect_results(struct __test_metadata *_metadata,
			   const struct lab_batch_rec *r, const long *want,
			   unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		EXPECT_EQ((__s64)want[i], r[i].result)
			TH_LOG("record %u (op %u)", i, r[i].op);
	}
}

/* The greeting now, as lab_greeting() gives it, or "" on error. */
static const char *greeting_now(const struct lab_mech *m, char *buf)
{
	long n = m->greeting(buf, LAB_GREETING_MAX);

	return n >= 0 && (size_t)n == strnlen(buf, LAB_GREETING_MAX) ? buf : "";
}

/* The operations, each with the answer its call gives on its own. */
struct op_case {
	struct lab_batch_rec r;
	long want;
};

#define OP_CASES 19

static void op_cases(BATCH_SELF *self, struct op_case *c)
{
	const struct op_case cases[OP_CASES] = {
		{ rec(LAB_BATCH_NULL, 0, 0, 0, 0), 0 },
		{ rec(LAB_BATCH_HELLO, 0, 0, 0, 0), 0 },
		{ rec(LAB_BATCH_GREETING, uptr(OUT(self, 2)), 64, 0, 0), 11 },
		{ rec(LAB_BATCH_GREETING, uptr(OUT(self, 3)), 12, 0, 0), 11 },
		{ rec(LAB_BATCH_GREETING, uptr(OUT(self, 4)), 11, 0, 0), -ERANGE },
		{ rec(LAB_BATCH_GREETING, 0, 64, 0, 0), -EFAULT },
		{ rec(LAB_BATCH_TRANSFORM, uptr(self->in), uptr(OUT(self, 6)),
		      13, 0), 13 },
		{ rec(LAB_BATCH_TRANSFORM, uptr(self->in), uptr(OUT(self, 7)),
		      13, LAB_TRANSFORM_ALL), 13 },
		/* Flags lab_transform() refuses: its own EINVAL. */
		{ rec(LAB_BATCH_TRANSFORM, uptr(self->in), uptr(OUT(self, 8)),
		      13, 4), -EINVAL },
		{ rec(LAB_BATCH_TRANSFORM, uptr(self->in), uptr(OUT(self, 9)),
		      LAB_TRANSFORM_MAX + 1, 0), -EINVAL },
		{ rec(LAB_BATCH_TRANSFORM, 0, 0, 0, 0), 0 },
		{ rec(LAB_BATCH_TRANSFORM, uptr(self->gone), uptr(OUT(self, 11)),
		      8, 0), -EFAULT },
		{ rec(LAB_BATCH_SET_GREETING, uptr(MSG_BATCH(self)), 5, 0, 0), 0 },
		{ rec(LAB_BATCH_GREETING, uptr(OUT(self, 13)), 64, 0, 0), 5 },
		{ rec(LAB_BATCH_SET_GREETING, uptr(MSG_PWNED(self)), 0, 0, 0),
		  -EINVAL },
		{ rec(LAB_BATCH_SET_GREETING, uptr(MSG_NUL(self)), 3, 0, 0),
		  -EINVAL },
		{ rec(LAB_BATCH_SET_GREETING, uptr(self->gone), 5, 0, 0),
		  -EFAULT },
		/* The failed calls changed nothing. */
		{ rec(LAB_BATCH_GREETING, uptr(OUT(self, 17)), 64, 0, 0), 5 },
		{ rec(LAB_BATCH_SET_GREETING, uptr(MSG_DEFAULT(self)), 11, 0, 0),
		  0 },
	};

	memcpy(c, cases, sizeof(cases));
}

/* The greeting back to the default, every output slot to 0xaa. */
static void reset(struct __test_metadata *_metadata,
		  BATCH_SELF *self, const struct lab_mech *m)
{
	ASSERT_EQ(0, m->set_greeting(MSG_DEFAULT(self), 11));
	memset(self->out, 0xaa, PAGE);
}

/*
 * Every operation, its usual answers and errors, gives in a batch exactly
 * what its call gives on its own: the same result and the same bytes
 * written, whether the records run one batch each or all in one batch.
 */
TEST_F(batch, each_op_answers_as_its_call)
{
	const struct lab_mech *m = variant->m;
	struct op_case c[OP_CASES];
	struct lab_batch_rec before[OP_CASES];
	long want[OP_CASES];
	char *alone = self->scratch;

	op_cases(self, c);
	for (unsigned int i = 0; i < OP_CASES; i++)
		want[i] = c[i].want;

	/* One call at a time: the reference. */
	reset(_metadata, self, m);
	for (unsigned int i = 0; i < OP_CASES; i++) {
		EXPECT_EQ(want[i], single(m, &c[i].r))
			TH_LOG("case %u, alone", i);
	}
	memcpy(alone, self->out, PAGE);
	EXPECT_STREQ("Hello world", OUT(self, 2));
	EXPECT_EQ(0, memcmp(OUT(self, 7), "LENREK ,OLLEH", 13));
	EXPECT_STREQ("Batch", OUT(self, 13));

	/* All in one batch. */
	reset(_metadata, self, m);
	for (unsigned int i = 0; i < OP_CASES; i++)
		self->recs[i] = c[i].r;
	memcpy(before, self->recs, sizeof(before));
	EXPECT_EQ(OP_CASES, m->batch(self->recs, OP_CASES, 0));
	expect_results(_metadata, self->recs, want, OP_CASES);
	expect_written(_metadata, self->recs, before, OP_CASES, OP_CASES);
	EXPECT_EQ(0, memcmp(alone, self->out, PAGE))
		TH_LOG("the batch wrote other bytes than the calls alone");

	/* One batch of one record each. */
	reset(_metadata, self, m);
	for (unsigned int i = 0; i < OP_CASES; i++) {
		self->recs[0] = c[i].r;
		EXPECT_EQ(1, m->batch(self->recs, 1, 0));
		EXPECT_EQ((__s64)want[i], self->recs[0].result)
			TH_LOG("case %u, a batch of one", i);
		EXPECT_EQ(0, memcmp(&self->recs[0], &c[i].r, RESULT_OFF));
	}
	EXPECT_EQ(0, memcmp(alone, self->out, PAGE))
		TH_LOG("batches of one wrote other bytes than the calls alone");
	EXPECT_STREQ("Hello world", greeting_now(m, self->scratch));
}

/* Records run in order: each sees what the ones before it did. */
TEST_F(batch, records_run_in_order)
{
	struct lab_batch_rec *r = self->recs;
	char *mid = OUT(self, 0), *end = OUT(self, 1);
	char *a = OUT(self, 2), *b = OUT(self, 3);
	long want[] = { 13, 13, 0, 5, 0, 11 };

	r[0] = rec(LAB_BATCH_TRANSFORM, uptr(self->in), uptr(mid), 13,
		   LAB_TRANSFORM_UPPER);
	r[1] = rec(LAB_BATCH_TRANSFORM, uptr(mid), uptr(end), 13,
		   LAB_TRANSFORM_REVERSE);
	r[2] = rec(LAB_BATCH_SET_GREETING, uptr(MSG_BATCH(self)), 5, 0, 0);
	r[3] = rec(LAB_BATCH_GREETING, uptr(a), 64, 0, 0);
	r[4] = rec(LAB_BATCH_SET_GREETING, uptr(MSG_DEFAULT(self)), 11, 0, 0);
	r[5] = rec(LAB_BATCH_GREETING, uptr(b), 64, 0, 0);
	EXPECT_EQ(6, variant->m->batch(r, 6, 0));
	expect_results(_metadata, r, want, 6);
	EXPECT_EQ(0, memcmp(end, "LENREK ,OLLEH", 13));
	EXPECT_STREQ("Batch", a);
	EXPECT_STREQ("Hello world", b);
}

/* A batch of hello() records: the rate limit drops lines, never calls. */
TEST_F(batch, hello_records_all_succeed)
{
	struct lab_batch_rec *r = self->recs;

	for (int i = 0; i < 50; i++)
		r[i] = rec(LAB_BATCH_HELLO, 0, 0, 0, 0);
	EXPECT_EQ(50, variant->m->batch(r, 50, LAB_BATCH_STOP_ON_ERROR));
	for (int i = 0; i < 50; i++) {
		ASSERT_EQ(0, r[i].result) TH_LOG("record %d", i);
	}
}

/* A failing record and a refused one in the middle: the batch goes on. */
#define MIXED 6

static void mixed(BATCH_SELF *self, struct lab_batch_rec *r)
{
	r[0] = rec(LAB_BATCH_NULL, 0, 0, 0, 0);
	r[1] = rec(LAB_BATCH_GREETING, uptr(OUT(self, 0)), 5, 0, 0);
	r[2] = rec(LAB_BATCH_TRANSFORM, uptr(self->in), uptr(OUT(self, 1)), 13,
		   LAB_TRANSFORM_UPPER);
	r[3] = rec(0, 0, 0, 0, 0);
	r[4] = rec(LAB_BATCH_SET_GREETING, uptr(MSG_BATCH(self)), 5, 0, 0);
	r[5] = rec(LAB_BATCH_NULL, 0, 0, 0, 0);
}

TEST_F(batch, failing_record_without_stop_goes_on)
{
	struct lab_batch_rec *r = self->recs, before[MIXED];
	long want[MIXED] = { 0, -ERANGE, 13, -EINVAL, 0, 0 };

	mixed(self, r);
	memcpy(before, r, sizeof(before));
	EXPECT_EQ(MIXED, variant->m->batch(r, MIXED, 0));
	expect_results(_metadata, r, want, MIXED);
	expect_written(_metadata, r, before, MIXED, MIXED);
	EXPECT_EQ(0xaa, (unsigned char)OUT(self, 0)[0]);
	EXPECT_EQ(0, memcmp(OUT(self, 1), "HELLO, KERNEL", 13));
	EXPECT_STREQ("Batch", greeting_now(variant->m, self->scratch));
}

/*
 * LAB_BATCH_STOP_ON_ERROR: the batch ends with the first record whose
 * result is negative, a failed call or a refused record alike, and returns
 * the count that includes it. The records after it are untouched and did
 * not run.
 */
TEST_F(batch, failing_record_with_stop_ends_the_batch)
{
	struct lab_batch_rec *r = self->recs, before[MIXED];
	long want[MIXED] = { 0, -ERANGE };

	mixed(self, r);
	memcpy(before, r, sizeof(before));
	EXPECT_EQ(2, variant->m->batch(r, MIXED, LAB_BATCH_STOP_ON_ERROR));
	expect_results(_metadata, r, want, 2);
	expect_written(_metadata, r, before, MIXED, 2);
	EXPECT_EQ(0xaa, (unsigned char)OUT(self, 0)[0]);
	EXPECT_EQ(0xaa, (unsigned char)OUT(self, 1)[0]);
	EXPECT_STREQ("Hello world", greeting_now(variant->m, self->scratch));

	/* From the third record on: it runs, the refused fourth stops. */
	mixed(self, r);
	memcpy(before, r, sizeof(before));
	EXPECT_EQ(2, variant->m->batch(r + 2, MIXED - 2,
				       LAB_BATCH_STOP_ON_ERROR));
	EXPECT_EQ(13, r[2].result);
	EXPECT_EQ(-EINVAL, r[3].result);
	expect_written(_metadata, r, before, 2, 0);
	expect_written(_metadata, r + 2, before + 2, MIXED - 2, 2);
	EXPECT_EQ(0, memcmp(OUT(self, 1), "HELLO, KERNEL", 13));
	EXPECT_STREQ("Hello world", greeting_now(variant->m, self->scratch));

	/* A failure in the last record, and none at all: the whole count. */
	mixed(self, r);
	EXPECT_EQ(2, variant->m->batch(r, 2, LAB_BATCH_STOP_ON_ERROR));
	EXPECT_EQ(-ERANGE, r[1].result);
	mixed(self, r);
	EXPECT_EQ(1, variant->m->batch(r + 5, 1, LAB_BATCH_STOP_ON_ERROR));
	EXPECT_EQ(0, r[5].result);
	EXPECT_EQ(2, variant->m->batch(r + 4, 2, LAB_BATCH_STOP_ON_ERROR));
	EXPECT_EQ(0, r[4].result);
	EXPECT_EQ(0, r[5].result);
}

/*
 * A record names an operation, never a system call number (they differ
 * between the tables): 0, one past the last, the highest, and the numbers
 * of lab_batch() itself and of lab_set_greeting() in both tables are all
 * refused. There is no operation for lab_batch(): batches do not nest. A
 * refused record fails alone; its call does not run.
 */
TEST_F(batch, unknown_ops_are_einval)
{
	static const __u32 bad[] = {
		0, LAB_BATCH_TRANSFORM + 1, 0x80000000U, 0xffffffffU,
		LAB_NR64_lab_batch, LAB_NR32_lab_batch,
		LAB_NR64_lab_set_greeting, LAB_NR32_lab_set_greeting,
		LAB_NR64_lab_null, LAB_NR32_lab_null,
	};
	const unsigned int nbad = sizeof(bad) / sizeof(*bad);
	struct lab_batch_rec *r = self->recs, before[3];
	long want[3] = { 0, -EINVAL, 0 };

	for (unsigned int i = 0; i < nbad; i++) {
		r[0] = rec(LAB_BATCH_NULL, 0, 0, 0, 0);
		r[1] = rec(bad[i], uptr(MSG_PWNED(self)), 5, 0, 0);
		r[2] = rec(LAB_BATCH_NULL, 0, 0, 0, 0);
		memcpy(before, r, sizeof(before));
		EXPECT_EQ(3, variant->m->batch(r, 3, 0)) TH_LOG("op %u", bad[i]);
		expect_results(_metadata, r, want, 3);
		expect_written(_metadata, r, before, 3, 3);
		/* With only the arguments it would take. */
		r[1] = rec(bad[i], 0, 0, 0, 0);
		EXPECT_EQ(1, variant->m->batch(r + 1, 1, 0));
		EXPECT_EQ(-EINVAL, r[1].result) TH_LOG("op %u", bad[i]);
	}
	EXPECT_STREQ("Hello world", greeting_now(variant->m, self->scratch));
}

/* No record flag is defined: any bit set refuses the record. */
TEST_F(batch, record_flags_are_einval)
{
	struct lab_batch_rec *r = self->recs, before[32];
	long want[32];

	for (int bit = 0; bit < 32; bit++) {
		r[bit] = rec(LAB_BATCH_SET_GREETING, uptr(MSG_PWNED(self)), 5,
			     0, 0);
		r[bit].flags = 1U << bit;
		want[bit] = -EINVAL;
	}
	memcpy(before, r, sizeof(before));
	EXPECT_EQ(32, variant->m->batch(r, 32, 0));
	expect_results(_metadata, r, want, 32);
	expect_written(_metadata, r, before, 32, 32);
	EXPECT_STREQ("Hello world", greeting_now(variant->m, self->scratch));
}

/* An argument the operation does not take must be 0. */
TEST_F(batch, extra_args_are_einval)
{
	struct lab_batch_rec *r = self->recs, before[16];
	long want[16];
	unsigned int n = 0;

	for (int a = 0; a < 4; a++) {
		r[n] = rec(LAB_BATCH_NULL, 0, 0, 0, 0);
		r[n++].args[a] = 1;
		r[n] = rec(LAB_BATCH_HELLO, 0, 0, 0, 0);
		r[n++].args[a] = 1ULL << 63;
	}
	for (int a = 2; a < 4; a++) {
		r[n] = rec(LAB_BATCH_GREETING, uptr(OUT(self, 0)), 64, 0, 0);
		r[n++].args[a] = 1;
		r[n] = rec(LAB_BATCH_SET_GREETING, uptr(MSG_PWNED(self)), 5,
			   0, 0);
		r[n++].args[a] = 1ULL << 32;
	}
	for (unsigned int i = 0; i < n; i++)
		want[i] = -EINVAL;
	memcpy(before, r, n * sizeof(*r));
	EXPECT_EQ((long)n, variant->m->batch(r, n, 0));
	expect_results(_metadata, r, want, n);
	expect_written(_metadata, r, before, n, n);
	EXPECT_EQ(0xaa, (unsigned char)OUT(self, 0)[0]);
	EXPECT_STREQ("Hello world", greeting_now(variant->m, self->scratch));
}

/*
 * lab_transform()'s flags are an unsigned int: a record's args[3] above
 * 32 bits is refused, not truncated (1 << 32 would become 0, and the copy
 * would run).
 */
TEST_F(batch, transform_flags_wider_than_32_bits_are_einval)
{
	static const __u64 flags[] = {
		1ULL << 32, (1ULL << 32) | LAB_TRANSFORM_UPPER, 1ULL << 63,
		~0ULL, 0xffffffffULL,
	};
	const unsigned int n = sizeof(flags) / sizeof(*flags);
	struct lab_batch_rec *r = self->recs;

	for (unsigned int i = 0; i < n; i++)
		r[i] = rec(LAB_BATCH_TRANSFORM, uptr(self->in),
			   uptr(OUT(self, i)), 13, flags[i]);
	r[n] = rec(LAB_BATCH_TRANSFORM, uptr(self->in), uptr(OUT(self, n)),
		   13, LAB_TRANSFORM_UPPER);
	EXPECT_EQ((long)n + 1, variant->m->batch(r, n + 1, 0));
	for (unsigned int i = 0; i < n; i++) {
		EXPECT_EQ(-EINVAL, r[i].result)
			TH_LOG("flags %#llx", (unsigned long long)flags[i]);
		EXPECT_EQ(0xaa, (unsigned char)OUT(self, i)[0]);
	}
	EXPECT_EQ(13, r[n].result);
	EXPECT_EQ(0, memcmp(OUT(self, n), "HELLO, KERNEL", 13));
}

/*
 * Unknown batch flags: EINVAL before any record is read or run, and
 * before the array is looked at (NULL gives EINVAL too).
 */
TEST_F(batch, unknown_batch_flags_are_einval)
{
	struct lab_batch_rec *r = self->recs, before[2];

	r[0] = rec(LAB_BATCH_SET_GREETING, uptr(MSG_PWNED(self)), 5, 0, 0);
	r[1] = rec(LAB_BATCH_NULL, 0, 0, 0, 0);
	memcpy(before, r, sizeof(before));
	for (int bit = 1; bit < 32; bit++) {
		unsigned int flag = 1U << bit;

		ASSERT_EQ(-EINVAL, variant->m->batch(r, 2, flag))
			TH_LOG("flag bit %d was accepted", bit);
		EXPECT_EQ(-EINVAL, variant->m->batch(r, 2, flag | 1));
		EXPECT_EQ(-EINVAL, variant->m->batch(NULL, 2, flag));
	}
	EXPECT_EQ(-EINVAL, variant->m->batch(r, 2, ~0U));
	EXPECT_EQ(-EINVAL, variant->m->batch(r, 0, ~0U));
	expect_written(_metadata, r, before, 2, 0);
	EXPECT_STREQ("Hello world", greeting_now(variant->m, self->scratch));
}

/* count 0: 0, and the array is not looked at. */
TEST_F(batch, count_zero_is_zero)
{
	struct lab_batch_rec *r = self->recs, before[1];

	r[0] = rec(LAB_BATCH_SET_GREETING, uptr(MSG_PWNED(self)), 5, 0, 0);
	memcpy(before, r, sizeof(before));
	EXPECT_EQ(0, variant->m->batch(r, 0, 0));
	EXPECT_EQ(0, variant->m->batch(r, 0, LAB_BATCH_STOP_ON_ERROR));
	EXPECT_EQ(0, variant->m->batch(NULL, 0, 0));
	EXPECT_EQ(0, variant->m->batch((void *)self->gone, 0, 0));
	EXPECT_EQ(0, variant->m->batch(KERNEL_HALF, 0, 0));
	expect_written(_metadata, r, before, 1, 0);
	EXPECT_STREQ("Hello world", greeting_now(variant->m, self->scratch));
}

/* LAB_BATCH_MAX records in one call, and not one more. */
TEST_F(batch, count_max_runs_every_record)
{
	struct lab_batch_rec *r = self->recs, *before;
	const size_t size = (LAB_BATCH_MAX + 1) * sizeof(*r);

	before = malloc(size);
	ASSERT_NE(NULL, before);
	for (int i = 0; i <= LAB_BATCH_MAX; i++)
		r[i] = rec(LAB_BATCH_NULL, 0, 0, 0, 0);
	memcpy(before, r, size);
	EXPECT_EQ(LAB_BATCH_MAX, variant->m->batch(r, LAB_BATCH_MAX, 0));
	for (int i = 0; i < LAB_BATCH_MAX; i++) {
		ASSERT_EQ(0, r[i].result) TH_LOG("record %d", i);
	}
	expect_written(_metadata, r, before, LAB_BATCH_MAX + 1, LAB_BATCH_MAX);
	EXPECT_EQ(LAB_BATCH_MAX, variant->m->batch(r, LAB_BATCH_MAX,
						   LAB_BATCH_STOP_ON_ERROR));
	free(before);
}

TEST_F(batch, count_over_max_is_einval)
{
	struct lab_batch_rec *r = self->recs, *before;
	const size_t size = (LAB_BATCH_MAX + 1) * sizeof(*r);

	before = malloc(size);
	ASSERT_NE(NULL, before);
	for (int i = 0; i <= LAB_BATCH_MAX; i++)
		r[i] = rec(LAB_BATCH_NULL, 0, 0, 0, 0);
	r[0] = rec(LAB_BATCH_SET_GREETING, uptr(MSG_PWNED(self)), 5, 0, 0);
	memcpy(before, r, size);
	EXPECT_EQ(-EINVAL, variant->m->batch(r, LAB_BATCH_MAX + 1, 0));
	EXPECT_EQ(-EINVAL, variant->m->batch(r, LAB_BATCH_MAX + 1,
					     LAB_BATCH_STOP_ON_ERROR));
	EXPECT_EQ(-EINVAL, variant->m->batch(r, 0x80000000U, 0));
	EXPECT_EQ(-EINVAL, variant->m->batch(r, 0xffffffffU, 0));
	/* Checked before the array is looked at. */
	EXPECT_EQ(-EINVAL, variant->m->batch(NULL, LAB_BATCH_MAX + 1, 0));
	expect_written(_metadata, r, before, LAB_BATCH_MAX + 1, 0);
	EXPECT_STREQ("Hello world", greeting_now(variant->m, self->scratch));
	free(before);
}

/* An array whose first record cannot be read at all: EFAULT. */
TEST_F(batch, unreadable_array_is_efault)
{
	const struct lab_mech *m = variant->m;
	struct lab_batch_rec *first = (void *)(self->edge + PAGE - 24);

	EXPECT_EQ(-EFAULT, m->batch(NULL, 1, 0));
	EXPECT_EQ(-EFAULT, m->batch(NULL, 3, LAB_BATCH_STOP_ON_ERROR));
	EXPECT_EQ(-EFAULT, m->batch((void *)self->gone, 1, 0));
	EXPECT_EQ(-EFAULT, m->batch((void *)self->gone, 3, 0));
	EXPECT_EQ(-EFAULT, m->batch(KERNEL_HALF, 1, 0));
	EXPECT_EQ(-EFAULT, m->batch(KERNEL_HALF, 3, 0));
	EXPECT_EQ(-EFAULT, m->batch((void *)(self->edge + PAGE), 1, 0));
	/* Its first 24 bytes readable, the rest on the PROT_NONE page. */
	EXPECT_EQ(-EFAULT, m->batch(first, 2, 0));
	for (int i = 0; i < 24; i++) {
		ASSERT_EQ(0xaa, (unsigned char)self->edge[PAGE - 24 + i]);
	}
}

/*
 * A record that cannot be read after the first ends the batch there, and
 * the count says how far it got, as read(2) does: the third record runs
 * into a PROT_NONE page, two records are processed.
 */
TEST_F(batch, array_running_into_prot_none_returns_the_count_before)
{
	struct lab_batch_rec *r = (void *)(self->edge + PAGE - 2 * 48 - 24);
	struct lab_batch_rec third, before[2];
	long want[2] = { 0, 11 };
	unsigned char tail[24];

	r[0] = rec(LAB_BATCH_NULL, 0, 0, 0, 0);
	r[1] = rec(LAB_BATCH_GREETING, uptr(OUT(self, 0)), 64, 0, 0);
	/* Of the third, op, flags, args[0] and args[1] are readable. */
	third = rec(LAB_BATCH_SET_GREETING, uptr(MSG_PWNED(self)), 5, 0, 0);
	memcpy(&r[2], &third, 24);
	memcpy(before, r, sizeof(before));
	memcpy(tail, &r[2], 24);

	EXPECT_EQ(2, variant->m->batch(r, 3, 0));
	expect_results(_metadata, r, want, 2);
	expect_written(_metadata, r, before, 2, 2);
	EXPECT_EQ(0, memcmp(tail, &r[2], 24));
	EXPECT_STREQ("Hello world", OUT(self, 0));

	r[0].result = POISON;
	r[1].result = POISON;
	EXPECT_EQ(2, variant->m->batch(r, 5, LAB_BATCH_STOP_ON_ERROR));
	expect_results(_metadata, r, want, 2);
	EXPECT_EQ(0, memcmp(tail, &r[2], 24));
	EXPECT_STREQ("Hello world", greeting_now(variant->m, self->scratch));
}

/*
 * An array the kernel can read but not write: each record's result slot is
 * proven writable before its call runs, so nothing runs, and EFAULT.
 */
TEST_F(batch, read_only_array_is_efault_and_runs_nothing)
{
	struct lab_batch_rec *r = (void *)self->ro, before[2];

	ASSERT_EQ(0, mprotect(self->ro, PAGE, PROT_READ | PROT_WRITE));
	r[0] = rec(LAB_BATCH_SET_GREETING, uptr(MSG_PWNED(self)), 5, 0, 0);
	r[1] = rec(LAB_BATCH_TRANSFORM, uptr(self->in), uptr(OUT(self, 0)),
		   13, 0);
	memcpy(before, r, sizeof(before));
	ASSERT_EQ(0, mprotect(self->ro, PAGE, PROT_READ));

	EXPECT_EQ(-EFAULT, variant->m->batch(r, 1, 0));
	EXPECT_EQ(-EFAULT, variant->m->batch(r, 2, 0));
	EXPECT_EQ(-EFAULT, variant->m->batch(r + 1, 1, LAB_BATCH_STOP_ON_ERROR));
	expect_written(_metadata, r, before, 2, 0);
	EXPECT_EQ(0xaa, (unsigned char)OUT(self, 0)[0]);
	EXPECT_STREQ("Hello world", greeting_now(variant->m, self->scratch));
}

/*
 * A record whose op, flags and args are on a writable page and whose
 * result is on a read-only one: readable, but its result could not be
 * reported, so its call does not run. As the first record: EFAULT; after
 * one that ran: the count of that one.
 */
TEST_F(batch, record_with_read_only_result_is_not_run)
{
	struct lab_batch_rec *r = (void *)(self->rwro + PAGE - 48 - RESULT_OFF);
	struct lab_batch_rec before[1];
	unsigned char tail[RESULT_OFF];
	const struct lab_batch_rec calls[] = {
		rec(LAB_BATCH_SET_GREETING, uptr(MSG_PWNED(self)), 5, 0, 0),
		rec(LAB_BATCH_TRANSFORM, uptr(self->in), uptr(OUT(self, 0)),
		    13, 0),
	};

	for (unsigned int i = 0; i < 2; i++) {
		r[0] = rec(LAB_BATCH_NULL, 0, 0, 0, 0);
		memcpy(&r[1], &calls[i], RESULT_OFF);
		memcpy(before, r, sizeof(before));
		memcpy(tail, &r[1], RESULT_OFF);

		EXPECT_EQ(-EFAULT, variant->m->batch(r + 1, 1, 0));
		EXPECT_EQ(1, variant->m->batch(r, 2, 0));
		EXPECT_EQ(0, r[0].result);
		expect_written(_metadata, r, before, 1, 1);
		EXPECT_EQ(0, memcmp(tail, &r[1], RESULT_OFF));
		/* The read-only page is as it was: all zeros. */
		EXPECT_EQ(0, r[1].result);
		EXPECT_EQ(0xaa, (unsigned char)OUT(self, 0)[0]);
		EXPECT_STREQ("Hello world",
			     greeting_now(variant->m, self->scratch));
	}
}

/*
 * A call that faults in a record is that record's failure, not the
 * batch's: result -EFAULT, and the batch goes on. The pointers are 64 bits
 * wide: a 32-bit caller can pass a kernel address too.
 */
TEST_F(batch, call_that_faults_fails_its_record_only)
{
	struct lab_batch_rec *r = self->recs, before[12];
	char *tail = self->edge + PAGE - 4;
	long want[12];
	unsigned int n = 0;

	r[n++] = rec(LAB_BATCH_GREETING, 0, 64, 0, 0);
	r[n++] = rec(LAB_BATCH_GREETING, uptr(self->gone), 64, 0, 0);
	r[n++] = rec(LAB_BATCH_GREETING, uptr(self->ro), 64, 0, 0);
	r[n++] = rec(LAB_BATCH_GREETING, KERNEL_ADDR, 64, 0, 0);
	r[n++] = rec(LAB_BATCH_GREETING, uptr(tail), 64, 0, 0);
	r[n++] = rec(LAB_BATCH_TRANSFORM, uptr(self->gone), uptr(OUT(self, 0)),
		     8, 0);
	r[n++] = rec(LAB_BATCH_TRANSFORM, uptr(self->in), uptr(self->ro), 8, 0);
	r[n++] = rec(LAB_BATCH_TRANSFORM, KERNEL_ADDR, uptr(OUT(self, 0)), 8, 0);
	r[n++] = rec(LAB_BATCH_TRANSFORM, uptr(self->in), KERNEL_ADDR, 8, 0);
	r[n++] = rec(LAB_BATCH_SET_GREETING, uptr(self->gone), 5, 0, 0);
	r[n++] = rec(LAB_BATCH_SET_GREETING, KERNEL_ADDR, 5, 0, 0);
	for (unsigned int i = 0; i < n; i++)
		want[i] = -EFAULT;
	r[n] = rec(LAB_BATCH_NULL, 0, 0, 0, 0);
	want[n++] = 0;
	memcpy(before, r, n * sizeof(*r));

	EXPECT_EQ((long)n, variant->m->batch(r, n, 0));
	expect_results(_metadata, r, want, n);
	expect_written(_metadata, r, before, n, n);
	/*
	 * As lab_greeting(2) says: the bytes before the fault are written
	 * (on arm64 a prefix of them, at least one: lab_test.h says why).
	 */
	if (LAB_FAULT_COPY_EXACT) {
		EXPECT_EQ(0, memcmp(tail, "Hell", 4));
	} else {
		EXPECT_LE(1, lab_prefix_then_fill(tail, "Hell", 4, 0xaa));
	}
	EXPECT_EQ(0xaa, (unsigned char)OUT(self, 0)[0]);
	EXPECT_STREQ("Hello world", greeting_now(variant->m, self->scratch));
}

/*
 * The pointers in a record are 64 bits wide whatever the way in: a 64-bit
 * process entering through int $0x80 may point above 4 GiB; in a 32-bit
 * process the high half is not dropped (the address is not its buffer).
 */
TEST_F(batch, record_pointers_are_64_bits_wide)
{
	struct lab_batch_rec *r = self->recs;
#if defined(__x86_64__) || defined(__aarch64__)
	char *high = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, high);
	if ((uintptr_t)high <= 0xffffffffUL) {
		munmap(high, PAGE);
		SKIP(return, "mmap() gave an address below 4 GiB");
	}
	memset(high, 0xaa, PAGE);
	r[0] = rec(LAB_BATCH_GREETING, uptr(high), 64, 0, 0);
	r[1] = rec(LAB_BATCH_TRANSFORM, uptr(self->in), uptr(high + 64), 13,
		   LAB_TRANSFORM_UPPER);
	EXPECT_EQ(2, variant->m->batch(r, 2, 0));
	EXPECT_EQ(11, r[0].result);
	EXPECT_EQ(13, r[1].result);
	EXPECT_STREQ("Hello world", high);
	EXPECT_EQ(0, memcmp(high + 64, "HELLO, KERNEL", 13));
	munmap(high, PAGE);
#else
	r[0] = rec(LAB_BATCH_GREETING, (1ULL << 32) | uptr(OUT(self, 0)), 64,
		   0, 0);
	r[1] = rec(LAB_BATCH_GREETING, uptr(OUT(self, 1)), 64, 0, 0);
	EXPECT_EQ(2, variant->m->batch(r, 2, 0));
	EXPECT_EQ(-EFAULT, r[0].result);
	EXPECT_EQ(11, r[1].result);
	EXPECT_EQ(0xaa, (unsigned char)OUT(self, 0)[0]);
	EXPECT_STREQ("Hello world", OUT(self, 1));
#endif
}

/*
 * lab_set_greeting() in a record checks the caller's capability as the
 * call does: an unprivileged caller's record fails with EPERM, even with a
 * NULL pointer, and the records around it run. (The harness runs each test
 * in its own child: dropping privileges here touches no other test.)
 */
TEST_F(batch, unprivileged_set_greeting_is_eperm)
{
	struct lab_batch_rec *r = self->recs, before[4];
	long want[4] = { -EPERM, 11, -EPERM, 0 };

	ASSERT_EQ(0, setgroups(0, NULL));
	ASSERT_EQ(0, setgid(65534));
	ASSERT_EQ(0, setuid(65534));
	r[0] = rec(LAB_BATCH_SET_GREETING, uptr(MSG_PWNED(self)), 5, 0, 0);
	r[1] = rec(LAB_BATCH_GREETING, uptr(OUT(self, 0)), 64, 0, 0);
	r[2] = rec(LAB_BATCH_SET_GREETING, 0, 5, 0, 0);
	r[3] = rec(LAB_BATCH_NULL, 0, 0, 0, 0);
	memcpy(before, r, sizeof(before));
	EXPECT_EQ(4, variant->m->batch(r, 4, 0));
	expect_results(_metadata, r, want, 4);
	expect_written(_metadata, r, before, 4, 4);
	EXPECT_STREQ("Hello world", OUT(self, 0));

	memcpy(r, before, sizeof(before));
	EXPECT_EQ(1, variant->m->batch(r, 4, LAB_BATCH_STOP_ON_ERROR));
	EXPECT_EQ(-EPERM, r[0].result);
	expect_written(_metadata, r, before, 4, 1);
	EXPECT_STREQ("Hello world", greeting_now(variant->m, self->scratch));
}

/*
 * Batches from four threads at once, on both CPUs: two set greetings of
 * their own and read the greeting back, two only read. Every greeting any
 * of them reads is exactly one that was set (or the default), never a mix
 * of two; every record succeeds.
 */
#define WORKERS 4
#define WORKER_ROUNDS 1000
#define WORKER_RECS 8

static const char *const racers[] = {
	"Hello world",
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	"bb",
};

struct worker {
	const struct lab_mech *m;
	int writes;		/* 0: only reads; else sets racers[writes] */
	char *area;		/* a page below 4 GiB */
	atomic_int *ready;
	long bad_batches;	/* returned other than WORKER_RECS */
	long bad_results;	/* a result other than the call's answer */
	long torn;		/* a greeting read that was never set */
	long reads;
	long seen[3];		/* reads of each of racers[] */
	char first_torn[LAB_GREETING_MAX + 1];
};

/* Which of racers[] @s is, or -1. */
static int racer(const char *s)
{
	for (int i = 0; i < (int)(sizeof(racers) / sizeof(*racers)); i++)
		if (!strcmp(s, racers[i]))
			return i;
	return -1;
}

static void *race(void *p)
{
	struct worker *w = p;
	struct lab_batch_rec *r = (void *)w->area;
	char *msg = w->area + 512, *buf = w->area + 1024;
	size_t len = w->writes ? strlen(racers[w->writes]) : 0;
	int k;

	memcpy(msg, racers[w->writes], len);
	atomic_fetch_add(w->ready, 1);
	while (atomic_load(w->ready) < WORKERS)
		sched_yield();	/* start together */
	for (int round = 0; round < WORKER_ROUNDS; round++) {
		memset(buf, 0xaa, WORKER_RECS * 128);
		for (int i = 0; i < WORKER_RECS; i++) {
			char *b = buf + i * 128;

			if (w->writes && i % 2 == 0)
				r[i] = rec(LAB_BATCH_SET_GREETING, uptr(msg),
					   len, 0, 0);
			else
				r[i] = rec(LAB_BATCH_GREETING, uptr(b),
					   LAB_GREETING_MAX, 0, 0);
		}
		if (w->m->batch(r, WORKER_RECS, 0) != WORKER_RECS)
			w->bad_batches++;
		for (int i = 0; i < WORKER_RECS; i++) {
			char *b = buf + i * 128;

			if (r[i].op == LAB_BATCH_SET_GREETING) {
				if (r[i].result != 0)
					w->bad_results++;
				continue;
			}
			w->reads++;
			if (r[i].result < 0 || r[i].result >= LAB_GREETING_MAX ||
			    strnlen(b, 128) != (size_t)r[i].result) {
				w->bad_results++;
				continue;
			}
			k = racer(b);
			if (k >= 0)
				w->seen[k]++;
			else if (!w->torn++)
				memcpy(w->first_torn, b, r[i].result + 1);
		}
	}
	return NULL;
}

TEST_F_TIMEOUT(batch, concurrent_batches_never_tear_the_greeting, 120)
{
	struct worker w[WORKERS];
	pthread_t t[WORKERS];
	atomic_int ready = 0;
	char *areas = lab_map(WORKERS * PAGE, PROT_READ | PROT_WRITE);

	ASSERT_NE(NULL, areas);
	for (int i = 0; i < WORKERS; i++) {
		w[i] = (struct worker){
			.m = variant->m, .writes = i < 2 ? i + 1 : 0,
			.area = areas + i * PAGE, .ready = &ready,
		};
		ASSERT_EQ(0, pthread_create(&t[i], NULL, race, &w[i]));
	}
	for (int i = 0; i < WORKERS; i++) {
		ASSERT_EQ(0, pthread_join(t[i], NULL));
	}
	for (int i = 0; i < WORKERS; i++) {
		TH_LOG("thread %d (%s): read the default %ld times, the long one %ld, the short one %ld",
		       i, w[i].writes ? "sets and reads" : "reads", w[i].seen[0],
		       w[i].seen[1], w[i].seen[2]);
		EXPECT_EQ(0, w[i].bad_batches) TH_LOG("thread %d", i);
		EXPECT_EQ(0, w[i].bad_results) TH_LOG("thread %d", i);
		EXPECT_EQ(0, w[i].torn)
			TH_LOG("thread %d read %ld greetings never set, the first \"%s\"",
			       i, w[i].torn, w[i].first_torn);
		EXPECT_EQ(WORKER_ROUNDS * WORKER_RECS / (w[i].writes ? 2 : 1),
			  w[i].reads);
	}
	munmap(areas, WORKERS * PAGE);
	EXPECT_EQ(0, variant->m->set_greeting(MSG_DEFAULT(self), 11));
	EXPECT_STREQ("Hello world", greeting_now(variant->m, self->scratch));
}

TEST_HARNESS_MAIN
