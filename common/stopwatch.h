/*
 * A named-phase stopwatch: where the time of a repeated job went, phase by
 * phase, for debug log lines and benchmarks. The owner declares its phases
 * as an enum (with a __MAX sentinel) and a parallel table of names, and
 * calls mf_stopwatch_mark(sw, PHASE) at the end of each phase: the time
 * since the previous mark is added to PHASE. One clock reading per mark,
 * no allocation: cheap enough for the publication hot path.
 *
 * A struct mf_stopwatch is plain data owned by whoever embeds it (used by
 * one thread at a time); copying it is how to take a snapshot, and
 * mf_stopwatch_format prints the difference to one.
 */
#ifndef MF_STOPWATCH_H
#define MF_STOPWATCH_H

#include "common/buf.h"

#include <stdint.h>

/* The most phases one stopwatch keeps. */
#define MF_STOPWATCH_MAX 16

struct mf_stopwatch {
	const char *const *names; /* n phase names, borrowed (a static table) */
	unsigned n;
	int64_t started;              /* monotonic ns at the last reset */
	int64_t last;                 /* monotonic ns at the last mark */
	int64_t ns[MF_STOPWATCH_MAX]; /* per phase, since the last reset */
};

/*
 * Sets sw up for n phases (at most MF_STOPWATCH_MAX; more are ignored)
 * named names[0..n), which must outlive it, and resets it.
 */
void mf_stopwatch_init(struct mf_stopwatch *sw, const char *const *names,
                       unsigned n);
/* Zeroes every phase and starts the clock: the next mark counts from now. */
void mf_stopwatch_reset(struct mf_stopwatch *sw);
/*
 * Starts a new lap without zeroing: the next mark counts from now (time
 * between the last mark and now is charged to no phase).
 */
void mf_stopwatch_lap(struct mf_stopwatch *sw);
/* Adds the time since the last mark (or reset, lap) to phase. */
void mf_stopwatch_mark(struct mf_stopwatch *sw, unsigned phase);
/* Nanoseconds since the last reset. */
int64_t mf_stopwatch_elapsed(const struct mf_stopwatch *sw);
/*
 * Appends "name ms name ms ..." (milliseconds with one decimal, phases in
 * table order, separated by single spaces) to out: the time of each phase
 * since the snapshot since (a copy of sw taken earlier; NULL: since the
 * last reset). 0, or mf_buf_printf's error (MF_E_NOMEM, MF_E_TOO_LARGE).
 */
int mf_stopwatch_format(struct mf_buf *out, const struct mf_stopwatch *sw,
                        const struct mf_stopwatch *since);

#endif
