/*
 * Threads in one process, built 32-bit (threads_test32, the point: glibc's
 * i386 locks wait in the i386 futex() call, 240, which the kernel provides
 * only with CONFIG_COMPAT_32BIT_TIME; without it every contended lock
 * aborts with "The futex facility returned an unexpected error code") and
 * 64-bit (threads_test, the control). The test plan boots the guest with two
 * vCPUs, so the threads below really run at once and really contend:
 * pthread_create/join, a mutex taken by four threads, a waiter seen blocked
 * in futex(), a condition variable passing a turn back and forth between two
 * CPUs, and a timed wait that times out.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"

#define COUNTER_THREADS 4
#define COUNTER_ROUNDS 20000
#define PING_PONG_ROUNDS 1000

static long online_cpus(void)
{
	return sysconf(_SC_NPROCESSORS_ONLN);
}

/* Pins the calling thread to CPU n modulo the CPUs online (with one CPU,
 * nothing to do). Returns 0 or an errno. */
static int pin_to(long n)
{
	long cpus = online_cpus();
	cpu_set_t set;

	if (cpus < 2)
		return 0;
	CPU_ZERO(&set);
	CPU_SET((int)(n % cpus), &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static long long now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* The kernel is SMP and the test plan gave it two vCPUs (lab boot --smp 2). */
TEST(two_cpus_online)
{
	long cpus = online_cpus();

	TH_LOG("%ld CPUs online", cpus);
	ASSERT_GE(cpus, 2) {
		TH_LOG("the lab kernel must be SMP, and the test plan boots 2 vCPUs");
	}
}

/* The system calls themselves, answered: futex() with the process's own
 * word size of time_t (on i386 the time32 call, 240), and on i386 also
 * futex_time64(). */
TEST(futex_calls_answer)
{
	unsigned int word = 1;
	struct timespec rel = { .tv_sec = 0, .tv_nsec = 10 * 1000000L };
	long long start;
	long r;

	/* sizeof(time_t) is the ABI's: 4 in a 32-bit program, as futex (240)
	 * expects, 8 in a 64-bit one. */
	r = syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	ASSERT_EQ(0, r) {
		TH_LOG("futex(FUTEX_WAKE) (number %d, %zu-byte time_t): %s",
		       SYS_futex, sizeof(time_t), strerror(errno));
	}
	r = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	EXPECT_EQ(-1, r);
	EXPECT_EQ(EAGAIN, errno) {
		TH_LOG("futex(FUTEX_WAIT) on a changed word: %s", strerror(errno));
	}
	start = now_ns(CLOCK_MONOTONIC);
	r = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 1, &rel, NULL, 0);
	EXPECT_EQ(-1, r);
	EXPECT_EQ(ETIMEDOUT, errno) {
		TH_LOG("futex(FUTEX_WAIT, 10 ms): %s", strerror(errno));
	}
	EXPECT_GE(now_ns(CLOCK_MONOTONIC) - start, 10 * 1000000LL);
#ifdef SYS_futex_time64
	if (SYS_futex_time64 != SYS_futex) {
		r = syscall(SYS_futex_time64, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
		EXPECT_EQ(0, r) {
			TH_LOG("futex_time64(FUTEX_WAKE): %s", strerror(errno));
		}
	}
#endif
}

struct counter {
	pthread_mutex_t lock;
	unsigned long value;
	atomic_ulong contended;	/* trylock found it taken */
	atomic_int ready;
	int ncpu_seen[64];
};

struct counter_arg {
	struct counter *c;
	long index;
	int pin_error;
};

static void *count_up(void *p)
{
	struct counter_arg *a = p;
	struct counter *c = a->c;
	int cpu;

	a->pin_error = pin_to(a->index);
	atomic_fetch_add(&c->ready, 1);
	while (atomic_load(&c->ready) < COUNTER_THREADS)
		sched_yield();	/* start together */
	for (int i = 0; i < COUNTER_ROUNDS; i++) {
		if (pthread_mutex_trylock(&c->lock)) {
			atomic_fetch_add(&c->contended, 1);
			pthread_mutex_lock(&c->lock);
		}
		c->value++;
		pthread_mutex_unlock(&c->lock);
	}
	cpu = sched_getcpu();
	if (cpu >= 0 && cpu < 64)
		__atomic_store_n(&c->ncpu_seen[cpu], 1, __ATOMIC_RELAXED);
	return NULL;
}

/* Four threads on all CPUs add to one counter under one mutex. */
TEST(mutex_counter_four_threads)
{
	struct counter c = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct counter_arg args[COUNTER_THREADS];
	pthread_t t[COUNTER_THREADS];
	int cpus_used = 0;

	for (long i = 0; i < COUNTER_THREADS; i++) {
		args[i] = (struct counter_arg){ .c = &c, .index = i };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, count_up, &args[i]));
	}
	for (int i = 0; i < COUNTER_THREADS; i++) {
		ASSERT_EQ(0, pthread_join(t[i], NULL));
		EXPECT_EQ(0, args[i].pin_error);
	}
	for (int i = 0; i < 64; i++)
		cpus_used += c.ncpu_seen[i];
	TH_LOG("%lu increments, %lu found the lock taken, threads ended on %d CPUs",
	       c.value, (unsigned long)atomic_load(&c.contended), cpus_used);
	EXPECT_EQ((unsigned long)COUNTER_THREADS * COUNTER_ROUNDS, c.value);
	if (online_cpus() >= 2)
		EXPECT_GE(cpus_used, 2);
}

struct waiter {
	pthread_mutex_t *lock;
	atomic_int tid;
	atomic_int acquired;
};

static void *wait_for_lock(void *p)
{
	struct waiter *w = p;

	pin_to(1);
	atomic_store(&w->tid, (int)syscall(SYS_gettid));
	pthread_mutex_lock(w->lock);
	atomic_store(&w->acquired, 1);
	pthread_mutex_unlock(w->lock);
	return NULL;
}

/* The first field of /proc/self/task/TID/syscall: the number of the call
 * the thread is blocked in, or -1 (running, or unreadable). */
static long blocked_in(int tid)
{
	char path[64], buf[256];
	long nr = -1;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		if (strncmp(buf, "running", 7))
			nr = strtol(buf, NULL, 10);
	}
	return nr;
}

static int is_futex(long nr)
{
#ifdef SYS_futex_time64
	if (nr == SYS_futex_time64)
		return 1;
#endif
	return nr == SYS_futex;
}

/* A thread that finds the mutex taken sleeps in futex() until it is
 * released: seen in /proc as blocked in that call. */
TEST(mutex_waiter_sleeps_in_futex)
{
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct waiter w = { .lock = &lock };
	pthread_t t;
	long nr = -1;

	pin_to(0);
	ASSERT_EQ(0, pthread_mutex_lock(&lock));
	ASSERT_EQ(0, pthread_create(&t, NULL, wait_for_lock, &w));
	/* Up to 5 s (TCG is slow) for the waiter to block. */
	for (int i = 0; i < 500 && !is_futex(nr); i++) {
		sleep_ms(10);
		if (atomic_load(&w.tid))
			nr = blocked_in(atomic_load(&w.tid));
	}
	EXPECT_TRUE(is_futex(nr)) {
		TH_LOG("the waiter is in system call %ld, not futex (%d)", nr, SYS_futex);
	}
	EXPECT_EQ(0, atomic_load(&w.acquired));
	ASSERT_EQ(0, pthread_mutex_unlock(&lock));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(1, atomic_load(&w.acquired));
}

struct ping_pong {
	pthread_mutex_t lock;
	pthread_cond_t turn_changed;
	int turn;		/* 0 or 1: whose move */
	int moves;
	unsigned long waits[2];	/* times each side found it was not its turn */
	int cpu[2];
};

struct side {
	struct ping_pong *pp;
	int me;
};

static void *play(void *p)
{
	struct side *s = p;
	struct ping_pong *pp = s->pp;

	pin_to(s->me);
	for (int i = 0; i < PING_PONG_ROUNDS; i++) {
		pthread_mutex_lock(&pp->lock);
		while (pp->turn != s->me) {
			pp->waits[s->me]++;
			pthread_cond_wait(&pp->turn_changed, &pp->lock);
		}
		pp->moves++;
		pp->turn = !s->me;
		pthread_cond_signal(&pp->turn_changed);
		pthread_mutex_unlock(&pp->lock);
	}
	pp->cpu[s->me] = sched_getcpu();
	return NULL;
}

/* Two threads, one on each CPU, pass a turn back and forth through a
 * condition variable: each waits for the other every round. */
TEST(condvar_ping_pong)
{
	struct ping_pong pp = {
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.turn_changed = PTHREAD_COND_INITIALIZER,
	};
	struct side sides[2] = { { &pp, 0 }, { &pp, 1 } };
	pthread_t t[2];

	for (int i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, play, &sides[i]));
	for (int i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_join(t[i], NULL));
	TH_LOG("%d moves; waits %lu and %lu; on CPUs %d and %d", pp.moves,
	       pp.waits[0], pp.waits[1], pp.cpu[0], pp.cpu[1]);
	EXPECT_EQ(2 * PING_PONG_ROUNDS, pp.moves);
	/* A side that comes back before the other has moved waits: with the
	 * turn changing hands 2000 times, that happens (some 1300 times on
	 * two vCPUs under TCG). */
	EXPECT_GT(pp.waits[0] + pp.waits[1], 0UL);
	if (online_cpus() >= 2)
		EXPECT_NE(pp.cpu[0], pp.cpu[1]);
}

/* A timed wait that nobody signals ends with ETIMEDOUT, not before. */
TEST(condvar_timed_wait_times_out)
{
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
	struct timespec deadline;
	long long start = now_ns(CLOCK_REALTIME);
	int r;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_nsec += 20 * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	ASSERT_EQ(0, pthread_mutex_lock(&lock));
	do
		r = pthread_cond_timedwait(&cond, &lock, &deadline);
	while (r == 0);	/* a spurious wake-up may come first */
	EXPECT_EQ(ETIMEDOUT, r);
	EXPECT_GE(now_ns(CLOCK_REALTIME) - start, 20 * 1000000LL);
	ASSERT_EQ(0, pthread_mutex_unlock(&lock));
}

TEST_HARNESS_MAIN
