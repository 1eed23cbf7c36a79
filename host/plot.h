/*
 * plot.h: one chart, drawn by a checked-in gnuplot script. gnuplot runs as
 * a child of this process (no shell), its variables given with -e, and
 * writes PNG.lab-tmp, renamed to PNG only when gnuplot succeeded: a failed
 * chart leaves no file and no half-drawn one. No chart is no failure: the
 * caller says so and writes the rest.
 */
#ifndef LAB_PLOT_H
#define LAB_PLOT_H

#include <stdbool.h>

/*
 * Runs `gnuplot -e "datafile='DAT'; outfile='PNG.lab-tmp'; EXTRA" SCRIPT`
 * (extra: more assignments, or NULL). script is the lab's relative path
 * (trace/stages.gp), found at the top of the lab (the current directory,
 * where make runs) or three levels above the running program
 * (build/tools/lab). Returns true if PNG is there; false with why in *why
 * (malloc'd).
 */
bool plot(const char *script, const char *dat, const char *png, const char *extra, char **why);

#endif
