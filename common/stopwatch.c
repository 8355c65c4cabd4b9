/*
 * The named-phase stopwatch (see stopwatch.h): one timing mechanism for
 * the publisher's per-batch phases and the git layer's own, so both log
 * and benchmark the same way.
 */
#include "common/stopwatch.h"
#include "common/timeutil.h"

#include <string.h>

void
mf_stopwatch_init(struct mf_stopwatch *sw, const char *const *names, unsigned n)
{
	sw->names = names;
	sw->n = n < MF_STOPWATCH_MAX ? n : MF_STOPWATCH_MAX;
	mf_stopwatch_reset(sw);
}

void
mf_stopwatch_reset(struct mf_stopwatch *sw)
{
	memset(sw->ns, 0, sizeof(sw->ns));
	sw->started = sw->last = mf_time_mono_ns();
}

void
mf_stopwatch_lap(struct mf_stopwatch *sw)
{
	sw->last = mf_time_mono_ns();
}

void
mf_stopwatch_mark(struct mf_stopwatch *sw, unsigned phase)
{
	int64_t now = mf_time_mono_ns();

	if (phase < sw->n)
		sw->ns[phase] += now - sw->last;
	sw->last = now;
}

int64_t
mf_stopwatch_elapsed(const struct mf_stopwatch *sw)
{
	return mf_time_mono_ns() - sw->started;
}

int
mf_stopwatch_format(struct mf_buf *out, const struct mf_stopwatch *sw,
                    const struct mf_stopwatch *since)
{
	int64_t ns;
	unsigned i;
	int rc = 0;

	for (i = 0; i < sw->n && rc == 0; i++) {
		ns = sw->ns[i] - (since != NULL ? since->ns[i] : 0);
		rc = mf_buf_printf(out, "%s%s %.1f", i > 0 ? " " : "",
		                   sw->names[i], (double)ns / 1e6);
	}
	return rc;
}
