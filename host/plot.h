/*
 * plot.h: one chart, drawn by a checked-in gnuplot script. The script is
 * found as every checked-in file of the lab is (util.h's lab_path()).
 * gnuplot runs as a child of this process (proc.h: no shell), its
 * variables given with -e, each string quoted for gnuplot's own syntax, and
 * writes PNG.lab-tmp, renamed to PNG only when gnuplot succeeded and wrote
 * something: a failed chart leaves neither that file nor an older PNG. No
 * chart is no failure: the caller says so and writes the rest.
 */
#ifndef LAB_PLOT_H
#define LAB_PLOT_H

#include <stdbool.h>
#include <stddef.h>

/* One gnuplot variable: a string (str), or if str is NULL the number num. */
struct plot_var {
	const char *name, *str;
	long num;
};

/*
 * s as a gnuplot single-quoted string ('it''s': a quote doubled, nothing
 * else special), malloc'd; NULL if s holds a character no quoting carries
 * through one -e command (a newline, a carriage return, another control
 * character).
 */
char *plot_quote(const char *s);

/*
 * Runs `gnuplot -e "NAME=VALUE; ...; outfile='PNG.lab-tmp'" SCRIPT` with
 * the n variables in vars (script: the lab's relative path, report/bars.gp),
 * gnuplot's standard error discarded. Returns true if PNG is there; false
 * with why in *why (malloc'd): no script, a value that cannot be quoted,
 * gnuplot missing or failing.
 */
bool plot(const char *script, const char *png, const struct plot_var *vars, size_t n,
	  char **why);

#endif
