/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lab_row.h: the one row schema of every benchmark the lab runs, written
 * the same way by the user-space benchmarks and by the kernel module (so:
 * snprintf only, integers only). One row is one JSON object on one line
 * (JSON lines), read on the host by the lab's one parser (host/rows.c):
 *
 *   {"schema":"lab-row/1","abi":"x86_64","path":"lab_null_syscall",
 *    "unit":"milliticks","tsc_khz":2100000,"batches":200,"iters":100,
 *    "min":..,"p5":..,"median":..,"p95":..,"p99":..,"max":..,"mean":..,
 *    "sd":..,"cv_ppm":..,"what":"lab_null() with the syscall instruction"}
 *
 * abi: "x86_64", "i386" or "kernel" (the module). unit: milliticks, i.e.
 * thousandths of a time-stamp-counter tick per call (under QEMU's -icount
 * shift=0 a tick is one guest instruction). tsc_khz: the counter's rate as
 * the program measured it. The statistics are those of lab_stats.h over
 * `batches` batches of `iters` calls each. The mode (host, tcg, kvm,
 * icount) and the mitigations are the run's, recorded by the host when it
 * boots the guest, and joined to every row by the parser.
 *
 * Curve rows (bench/bench_batch.c: cost per operation against operations
 * per crossing into the kernel) carry one more field, right after iters:
 *
 *   ..."batches":200,"iters":128,"ops":64,"min":..
 *
 * ops: the operations one crossing carries (N records of one lab_batch(),
 * N io_uring SQEs of one io_uring_enter(), or N separate calls: 1 crossing
 * each, but the curve's point N), a whole number from 1 up. Their
 * statistics are in milliticks per OPERATION, and iters is then the
 * operations a batch (a whole number of groups of N): per operation =
 * (batch - overhead) / iters, as for every other row. A row without "ops"
 * is no curve row (lab_row_format() writes none: every row the lab wrote
 * before curve rows existed stays byte for byte the same); the host reads
 * it as ops 0.
 *
 * Rows carry one more statistic, right after cv_ppm, beside the median:
 *
 *   ..."cv_ppm":..,"kbest":..,"kbest_rank":..,"what":..
 *
 * kbest: lab_stats.h's k-best, a near-minimum that holds on a busy host
 * (LAB_KBEST_K batches that agree within LAB_KBEST_TOL_PCT percent, the
 * lowest such), in milliticks per call like the others, matched
 * (lab_stats_row(), in the programs and the module alike): the row's raw
 * batches' k-best less the empty loop's k-best. kbest_rank: the
 * rank of the batch it was taken from (1: the fastest), or 0 when no
 * window qualified and kbest is only the minimum (the host shows it
 * flagged). Rows written before the k-best have neither field, and the
 * host reads them as rows without one.
 *
 * A row the program cannot measure where it runs (the host's kernel gives
 * this 32-bit process no vDSO; the host refuses io_uring) is written as a
 * left-out row instead, the reason in place of the statistics:
 *
 *   {"schema":"lab-row/1","abi":"i386","path":"getppid_vdso32",
 *    "left_out":"no vDSO in this process (AT_SYSINFO is 0)"}
 *
 * `path`, `what` and a reason are the program's own constants: no quote,
 * backslash or control character may appear in them (lab_row_format()
 * refuses).
 */
#ifndef LAB_ROW_H
#define LAB_ROW_H

#include "lab_stats.h"

#ifndef __KERNEL__
#include <stdio.h>
#endif

#define LAB_ROW_SCHEMA "lab-row/1"
#define LAB_ROW_MAX 640

/* 1 if s can stand between JSON quotes as it is. */
static inline int lab_row_plain(const char *s)
{
	for (; *s; s++)
		if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20)
			return 0;
	return 1;
}

/*
 * Formats one row, with its newline, into buf (LAB_ROW_MAX bytes are
 * enough). ops 0: no "ops" field (the row is no curve row); ops > 0: a
 * curve row, "ops" right after "iters". Returns its length, or -1 if a
 * string is not plain or the row does not fit.
 */
static inline int lab_row_format_ops(char *buf, size_t size, const char *abi,
				     const char *path, const char *what,
				     lab_u64 tsc_khz, unsigned int batches,
				     unsigned int iters, unsigned int ops,
				     const struct lab_stats *s)
{
	char opsfield[24] = "";
	int n;

	if (!lab_row_plain(abi) || !lab_row_plain(path) ||
	    !lab_row_plain(what))
		return -1;
	if (ops)
		snprintf(opsfield, sizeof(opsfield), ",\"ops\":%u", ops);
	n = snprintf(buf, size,
		     "{\"schema\":\"%s\",\"abi\":\"%s\",\"path\":\"%s\",\"unit\":\"milliticks\",\"tsc_khz\":%llu,\"batches\":%u,\"iters\":%u%s,\"min\":%llu,\"p5\":%llu,\"median\":%llu,\"p95\":%llu,\"p99\":%llu,\"max\":%llu,\"mean\":%llu,\"sd\":%llu,\"cv_ppm\":%llu,\"kbest\":%llu,\"kbest_rank\":%llu,\"what\":\"%s\"}\n",
		     LAB_ROW_SCHEMA, abi, path, (unsigned long long)tsc_khz,
		     batches, iters, opsfield, (unsigned long long)s->min,
		     (unsigned long long)s->p5, (unsigned long long)s->median,
		     (unsigned long long)s->p95, (unsigned long long)s->p99,
		     (unsigned long long)s->max, (unsigned long long)s->mean,
		     (unsigned long long)s->sd, (unsigned long long)s->cv_ppm,
		     (unsigned long long)s->kbest,
		     (unsigned long long)s->kbest_rank, what);
	if (n < 0 || (size_t)n >= size)
		return -1;
	return n;
}

/* A row that is no curve row: lab_row_format_ops() without "ops". */
static inline int lab_row_format(char *buf, size_t size, const char *abi,
				 const char *path, const char *what,
				 lab_u64 tsc_khz, unsigned int batches,
				 unsigned int iters,
				 const struct lab_stats *s)
{
	return lab_row_format_ops(buf, size, abi, path, what, tsc_khz,
				  batches, iters, 0, s);
}

/* A left-out row: why path was not measured here. Its length, or -1. */
static inline int lab_row_format_left_out(char *buf, size_t size,
					  const char *abi, const char *path,
					  const char *why)
{
	int n;

	if (!lab_row_plain(abi) || !lab_row_plain(path) || !lab_row_plain(why))
		return -1;
	n = snprintf(buf, size,
		     "{\"schema\":\"%s\",\"abi\":\"%s\",\"path\":\"%s\",\"left_out\":\"%s\"}\n",
		     LAB_ROW_SCHEMA, abi, path, why);
	if (n < 0 || (size_t)n >= size)
		return -1;
	return n;
}

#endif /* LAB_ROW_H */
