/*
 * host_bench.h: the benchmark programs run on the host's own kernel, into a
 * run directory of mode "host" (rows.jsonl, stderr.txt, meta.json).
 *
 * Hosts differ: one has no 32-bit emulation (an i386 program gets
 * ENOEXEC from execve). A program the host cannot start is left out: said
 * in one line, recorded in meta.json's "left_out" ({"abi", "program",
 * "error"} each) and in the result; every other program still runs and its
 * rows are kept. A program that started and then failed (a non-zero exit,
 * a signal) is a failure: its rows are dropped, since a program that died
 * part-way says nothing about the rows it wrote before.
 */
#ifndef LAB_HOST_BENCH_H
#define LAB_HOST_BENCH_H

#include <jansson.h>
#include <stddef.h>

/* One program: the ABI of its rows ("x86_64", "i386") and its argv. */
struct host_cmd {
	const char *abi;
	const char *const *argv;	/* NULL-terminated */
};

struct host_result {
	size_t ran;		/* programs that ran and exited 0 */
	size_t failed;		/* programs that started and failed */
	size_t nleft;		/* programs this host cannot start */
	json_t *lines;		/* what was left out, host_left_out_lines() */
};

/* Runs cmds[0..n-1] into dir (emptied first). Dies only when dir cannot be
 * made. */
void host_bench_run(const char *dir, const struct host_cmd *cmds, size_t n,
		    struct host_result *res);
void host_result_free(struct host_result *res);

/* The lines that say what a run's meta.json "left_out" holds: one for each
 * ABI and error, naming every program so refused ("i386 rows left out:
 * this host cannot run bench_user32, bench_batch32 (Exec format error: its
 * kernel has no 32-bit emulation)"). A new array of strings. */
json_t *host_left_out_lines(json_t *left_out);

#endif
