/*
 * The read replica's monitor: a thread that measures once a second how
 * far the replica's replay trails the primary and tells db.c, which sends
 * read-only requests there only while that lag is within the bound
 * (db/README.md "Read replicas"). The server starts it after
 * mf_db_replica_configure and stops it at shutdown.
 */
#ifndef MF_DB_REPLICA_H
#define MF_DB_REPLICA_H

#include "common/error.h"

#include <stdbool.h>
#include <stdint.h>

/* Starts the thread (none when no replica is configured). 0, or
 * MF_E_INTERNAL when the thread cannot start. */
int mf_db_replica_start(struct mf_error *err);
/* Stops it and closes its connections; safe when never started. */
void mf_db_replica_stop(void);

/* The measure itself, pure (unit-tested): a sample of where the
 * primary's WAL ended (lsn) at a time (mf_time_mono_ns clock). */
struct mf_db_wal_sample {
	int64_t mono_ns;
	uint64_t lsn;
};
/* "16/B374D848" (pg_lsn's text) as a number; false when it is not one. */
bool mf_db_lsn_parse(const char *s, uint64_t *out);
/*
 * Seconds a replica that replayed up to `replayed` trails a primary whose
 * WAL ends at `primary`, at time now_ns: 0 when it replayed all of it;
 * else the age of the newest sample it has replayed, or of its last
 * replayed commit (age_s, when age_known) when that is younger; < 0 when
 * neither is known.
 */
double mf_db_replica_lag(const struct mf_db_wal_sample *samples, int n,
                         uint64_t primary, uint64_t replayed, bool age_known,
                         double age_s, int64_t now_ns);

#endif
