/*
 * The replica monitor (see replica.h). Lag is measured, not guessed from
 * timestamps alone: an idle primary commits nothing, so the age of the
 * replica's last replayed commit grows while the replica is complete.
 * Each second the monitor reads where the primary's WAL ends (P, at
 * time t) and keeps the last samples; then what the replica replayed
 * (R). R >= P: the replica has everything, lag 0. Otherwise the replica
 * holds everything the primary had at the newest sample t_i with
 * P_i <= R, and every commit up to its last replayed one: the lag is the
 * smaller of now - t_i and that commit's age; with neither known it is
 * unknown, and reads stay on the primary.
 */
#include "db/replica.h"
#include "common/diag.h"
#include "common/timeutil.h"
#include "db/exec.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TICK_MS 1000
/* the longest the monitor waits for one statement */
#define CALL_NS  (1000LL * 1000000)
#define NSAMPLES 16
/* the second look at a replica that is behind */
#define RETRY_NS (50L * 1000000)

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	bool running, stop;
	/* the monitor thread's alone */
	struct mf_db_wal_sample ring[NSAMPLES];
	int nring, next;
} mon = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

bool
mf_db_lsn_parse(const char *s, uint64_t *out)
{
	unsigned int hi, lo;
	char tail;

	if (sscanf(s, "%X/%X%c", &hi, &lo, &tail) != 2)
		return false;
	*out = ((uint64_t)hi << 32) | lo;
	return true;
}

static void
ring_add(int64_t mono_ns, uint64_t lsn)
{
	mon.ring[mon.next].mono_ns = mono_ns;
	mon.ring[mon.next].lsn = lsn;
	mon.next = (mon.next + 1) % NSAMPLES;
	if (mon.nring < NSAMPLES)
		mon.nring++;
}

double
mf_db_replica_lag(const struct mf_db_wal_sample *samples, int n,
                  uint64_t primary, uint64_t replayed, bool age_known,
                  double age_s, int64_t now_ns)
{
	double lag = -1, s;
	int i;

	if (replayed >= primary)
		return 0;
	for (i = 0; i < n; i++) {
		if (samples[i].lsn > replayed)
			continue;
		s = (double)(now_ns - samples[i].mono_ns) / 1e9;
		if (lag < 0 || s < lag)
			lag = s;
	}
	if (age_s < 0)
		age_s = 0; /* the two clocks disagree a little */
	if (age_known && (lag < 0 || age_s < lag))
		lag = age_s;
	return lag;
}

/* One measure, published to db.c. */
static void
measure(void)
{
	struct mf_error err;
	PGresult *res = NULL;
	uint64_t p, r = 0;
	double age, lag;
	bool paused;
	int attempt;
	int64_t t0 = mf_time_mono_ns();

	mf_error_init(&err);
	/* 1. Where the primary's WAL ends now. */
	mf_db_set_deadline(t0 + CALL_NS);
	res = mf_db_execv(MF_SQL_PRIMARY_WAL_LSN, &err, 0);
	if (res == NULL || PQntuples(res) != 1 ||
	    !mf_db_lsn_parse(PQgetvalue(res, 0, 0), &p)) {
		mf_db_replica_publish(MF_DB_REPLICA_UNMEASURED, -1, false);
		goto done;
	}
	PQclear(res);
	res = NULL;
	ring_add(t0, p);
	/* 2. What the replica replayed, over its own connection; asked
	 * again after a moment when it is behind, so WAL written a moment
	 * ago and streaming now does not count as lag. */
	for (attempt = 0; attempt < 2; attempt++) {
		if (attempt > 0) {
			if (r >= p)
				break;
			nanosleep(&(struct timespec){0, RETRY_NS}, NULL);
		}
		PQclear(res);
		mf_db_route_replica_only(true);
		mf_db_set_deadline(mf_time_mono_ns() + CALL_NS);
		res = mf_db_execv(MF_SQL_REPLICA_REPLAY, &err, 0);
		mf_db_route_replica_only(false);
		if (res == NULL || PQntuples(res) != 1 ||
		    !mf_db_lsn_parse(PQgetvalue(res, 0, 1), &r))
			r = 0;
	}
	if (res == NULL || PQntuples(res) != 1) {
		mf_db_replica_publish(MF_DB_REPLICA_UNREACHABLE, -1, false);
		goto done;
	}
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		/* promoted, or the primary itself: not a copy to measure */
		mf_db_replica_publish(MF_DB_REPLICA_NOT_STANDBY, -1, false);
		goto done;
	}
	paused = strcmp(PQgetvalue(res, 0, 3), "t") == 0;
	if (r == 0) {
		mf_db_replica_publish(MF_DB_REPLICA_LAGGING, -1, paused);
		goto done;
	}
	age = PQgetisnull(res, 0, 2) ? 0 : atof(PQgetvalue(res, 0, 2));
	/* 3. The lag against the bound. */
	lag =
	    mf_db_replica_lag(mon.ring, mon.nring, p, r,
	                      !PQgetisnull(res, 0, 2), age, mf_time_mono_ns());
	mf_db_replica_publish(lag >= 0 &&
	                              lag * 1000 <= mf_db_replica_max_lag_ms()
	                          ? MF_DB_REPLICA_OK
	                          : MF_DB_REPLICA_LAGGING,
	                      lag, paused);
done:
	PQclear(res);
	mf_db_set_deadline(0);
	mf_error_dispose(&err);
}

static void *
monitor_main(void *arg)
{
	struct timespec until;

	(void)arg;
	pthread_mutex_lock(&mon.mu);
	while (!mon.stop) {
		pthread_mutex_unlock(&mon.mu);
		measure();
		pthread_mutex_lock(&mon.mu);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += TICK_MS / 1000;
		while (!mon.stop &&
		       pthread_cond_timedwait(&mon.cv, &mon.mu, &until) == 0)
			;
	}
	pthread_mutex_unlock(&mon.mu);
	/* 4. Its connections close with the thread (db.c's key). */
	mf_db_route_replica_only(true);
	mf_db_drop();
	mf_db_route_replica_only(false);
	mf_db_drop();
	return NULL;
}

int
mf_db_replica_start(struct mf_error *err)
{
	struct mf_db_replica_status st;

	mf_db_replica_status(&st);
	if (!st.configured || mon.running)
		return 0;
	mon.stop = false;
	if (pthread_create(&mon.thread, NULL, monitor_main, NULL) != 0)
		return mf_error_set(err, MF_E_INTERNAL, NULL,
		                    "cannot start the replica monitor");
	mon.running = true;
	mf_diag_info("read replica configured: read-only requests use it "
	             "within %.1f s of the primary",
	             st.max_lag_seconds);
	return 0;
}

void
mf_db_replica_stop(void)
{
	if (!mon.running)
		return;
	pthread_mutex_lock(&mon.mu);
	mon.stop = true;
	pthread_cond_broadcast(&mon.cv);
	pthread_mutex_unlock(&mon.mu);
	pthread_join(mon.thread, NULL);
	mon.running = false;
}
