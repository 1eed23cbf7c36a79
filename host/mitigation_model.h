/*
 * mitigation_model.h: what `lab mitigations` finds, computed apart from how
 * it is written. In: each boot setting's traced listings, its icount
 * medians and its vulnerability files (loaded by cmd_mitigations.c). Out:
 * per switch, the instruction-level difference of each traced path against
 * the defaults, every instruction of it classified, the icount difference
 * of each measured row, what the vulnerability files say of it; and
 * whether the switches add up to the defaults-against-off total. No I/O:
 * cmd_mitigations.c reads the settings and writes check.tap, report.md,
 * the .diff files and the chart's data from this.
 */
#ifndef LAB_MITIGATION_MODEL_H
#define LAB_MITIGATION_MODEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "checks.h"
#include "mitigation.h"

/* The traced paths `lab trace` writes listings for (those there are). */
#define MIT_NTRACED 3
extern const char *const mit_traced_paths[MIT_NTRACED];

/* The icount rows each switch is measured on. */
struct mit_icount_row {
	const char *abi, *path, *label;
};
#define MIT_NROWS 6
extern const struct mit_icount_row mit_icount_rows[MIT_NROWS];

/* One boot setting and what it left. */
struct mit_setting {
	const char *name, *append;	/* append: NULL for the defaults */
	struct mit_listing l[MIT_NTRACED];
	bool have[MIT_NTRACED];
	bool counted;			/* it left an icount run */
	double icount[MIT_NROWS];	/* its median per call, or -1 */
	json_t *vuln;			/* its vulnerability files (borrowed), or NULL */
	const char *cpu, *release;	/* or NULL */
};

/* How many instructions of each kind. */
struct mit_tally {
	size_t cls[MC_COUNT];
	size_t n;
};

/* One switch on one traced path, against the defaults. */
struct mit_path_result {
	bool done;			/* both boots traced the path */
	struct mit_diff d;		/* removed: the defaults' indices */
	struct mit_tally removed, added;
	size_t unnamed;			/* instructions of d with no symbol */
	long delta;			/* the defaults' length minus the switch's */
};

/* What the vulnerability files say of one switch. */
enum mit_vuln {
	MV_CHANGED,	/* some file's text changed, none towards a mitigation */
	MV_UNCHANGED,	/* every file the same */
	MV_UNRECORDED,	/* this boot or the defaults' recorded none, or lacks some */
	MV_TURNED_ON,	/* a file says "Mitigation" where the defaults' did not */
};

struct mit_switch_result {
	char *changed;		/* "file: before -> after; ...", or NULL */
	enum mit_vuln vuln;
	char *why;		/* for MV_UNRECORDED and MV_TURNED_ON: which files */
	double icount_delta[MIT_NROWS];	/* defaults minus switch; NAN if either lacks it */
	struct mit_path_result p[MIT_NTRACED];
};

/* Per instruction of the defaults' listing: how many switches take it
 * away, and the first few of them (indices into the settings). */
#define MIT_TAKERS_MAX 4
struct mit_takers {
	size_t n, who[MIT_TAKERS_MAX];
};

/*
 * The settings: s[0] the defaults, s[off] mitigations=off (off == ns if
 * there is none), then the switches, s[ns - 1] the defaults again.
 */
struct mit_model {
	const struct mit_setting *s;
	size_t ns, off, again;
	struct mit_switch_result *r;	/* r[i] for 1 <= i < ns - 1 */
	bool reproduces[MIT_NTRACED];	/* the two boots with the defaults agree */
	long sum[MIT_NTRACED];		/* the switches' deltas, off's left out */
	struct mit_takers *takers[MIT_NTRACED];	/* NULL if the defaults lack the path */
};

void mit_model_build(struct mit_model *m, const struct mit_setting *s, size_t ns, size_t off);
void mit_model_free(struct mit_model *m);

/* The vulnerability files whose text differs, as "file: before -> after;
 * ..." (malloc'd), or NULL if none does. */
char *mit_vuln_changes(const json_t *base, const json_t *other);
/* What the files say of a switch; *why (malloc'd, or NULL) names the files. */
enum mit_vuln mit_vuln_judge(const json_t *base, const json_t *other, char **why);

/*
 * The checks, in check.tap's order: the documentation listed switches
 * (nswitches), each setting traced and counted, the defaults reproduce,
 * then per switch what its vulnerability files say and, per path, that
 * every instruction of the difference has a symbol.
 */
void mit_model_check(const struct mit_model *m, size_t nswitches, struct checks *c);

#endif
