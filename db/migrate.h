/*
 * Database migrations: migrations/NNNN_name.sql, compiled into the binary,
 * applied in order, each in its own transaction, recorded with a SHA-256
 * checksum in schema_migrations. Serialised across processes with a
 * PostgreSQL advisory lock, so concurrent starts never apply one twice.
 */
#ifndef MF_MIGRATE_H
#define MF_MIGRATE_H

#include "common/error.h"

/*
 * Applies every pending migration on the calling thread's connection.
 * Refuses (MF_E_SCHEMA, with a clear message) when an applied migration's
 * checksum differs from the binary's copy or the database has migrations
 * this binary does not know. *applied_out (may be NULL) gets the number
 * applied now.
 */
int mf_migrate_apply(int *applied_out, struct mf_error *err);

/* The newest migration version this binary carries, and how many. */
int mf_migrate_latest(int *count_out);

/*
 * What the database has applied: the newest version (0 for none) and
 * how many, for readiness checks against mf_migrate_latest. Runs on the
 * calling thread's connection; MF_E_UNAVAILABLE when it cannot connect.
 */
int mf_migrate_status(int *latest_out, int *count_out, struct mf_error *err);

#endif
