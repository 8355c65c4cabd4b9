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

/* Starts the thread (none when no replica is configured). 0, or
 * MF_E_INTERNAL when the thread cannot start. */
int mf_db_replica_start(struct mf_error *err);
/* Stops it and closes its connections; safe when never started. */
void mf_db_replica_stop(void);

#endif
