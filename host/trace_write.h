/*
 * trace_write.h: what lab trace writes from its model (trace_write.c): the
 * staged listings, the chart, report.md and the terminal summary.
 */
#ifndef LAB_TRACE_WRITE_H
#define LAB_TRACE_WRITE_H

#include <stdbool.h>

#include "checks.h"
#include "trace_model.h"

/* s->dir/<path>.staged: n, address, symbol+offset, instruction, stage. */
void trace_write_staged(const struct trace_setting *s);
/* out/chart-stages.dat and .png (trace/stages.gp); true if the chart is there. */
bool trace_chart(const char *out, struct trace_setting **ok, int nok);
/* out/report.md: all the settings, ok those traced, c their checks. */
void trace_write_report(const char *out, struct trace_setting *all, int nall,
			struct trace_setting **ok, int nok, const struct checks *c,
			bool have_chart);
/* The terminal summary: per setting, per path and stage; the checks. */
void trace_print_summary(struct trace_setting *all, int nall, const struct checks *c,
			 const char *out, bool report);

#endif
