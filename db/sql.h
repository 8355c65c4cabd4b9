/*
 * Every SQL statement of the server, by name. The texts live in sql.c, in
 * one table indexed by this enum (declare once, parameterise always).
 */
#ifndef MF_SQL_H
#define MF_SQL_H

enum mf_sql {
	MF_SQL_PING,
	MF_SQL_MIGRATIONS_MAX,
	/* migrate.c: run unprepared, before the schema exists */
	MF_SQL_MIGRATE_LOCK,
	MF_SQL_MIGRATE_UNLOCK,
	MF_SQL_MIGRATIONS_TABLE,
	MF_SQL_MIGRATIONS_APPLIED,
	MF_SQL_MIGRATION_RECORD,
	/* reads: each returns one json column */
	MF_SQL_ORG_GET,
	MF_SQL_ORG_KEYS,
	MF_SQL_ORGS_LIST,
	MF_SQL_MODEL_GET,
	MF_SQL_VERSIONS_LIST,
	MF_SQL_FEED_VERSIONS,
	MF_SQL_VERSION_GET,
	MF_SQL_VERSION_ENVELOPE,
	MF_SQL_EVALS_LIST,
	/* ingest: three round trips */
	MF_SQL_INGEST_KEYS,
	MF_SQL_INGEST_SUBJECT,
	MF_SQL_ACCEPT,
	MF_SQL_KEY_STATUS,
	MF_SQL_KEY_INSERT,
	/* registry identity and administration */
	MF_SQL_REGISTRY_GET,
	MF_SQL_REGISTRY_INIT,
	MF_SQL_REGISTRY_SET_ADMIN,
	MF_SQL_ORG_CREATE,
	MF_SQL_ORG_LOCK_KEYS,
	/* the record a submission response describes */
	MF_SQL_SUBMISSION_RECORD,
	/* the leader leases (migrations/0011) */
	MF_SQL_LEASE_ACQUIRE,
	MF_SQL_LEASE_RENEW,
	MF_SQL_LEASE_RELEASE,
	MF_SQL_LEASE_FENCE,
	MF_SQL_LEASE_SESSION,
	MF_SQL_LOG_SIZE,
	MF_SQL_LOG_NODES_GET,
	MF_SQL_LOG_PENDING,
	MF_SQL_LOG_ASSIGN,
	MF_SQL_LOG_NODES_INSERT,
	MF_SQL_LOG_CHECKPOINT_INSERT,
	MF_SQL_LOG_CHECKPOINT_LATEST,
	MF_SQL_LOG_CHECKPOINT_AT,
	MF_SQL_LOG_ENTRY,
	MF_SQL_LOG_SEQUENCED,
	MF_SQL_REGISTRY_SET_KEYS,
	MF_SQL_REGISTRY_INFO,
	MF_SQL_LOG_ID_BY_INDEX,
	/* labels as of a log position */
	MF_SQL_LABEL_VERSION,
	MF_SQL_LABEL_EVALS,
	MF_SQL_LABEL_COMPROMISED,
	MF_SQL_LABEL_JUDGEMENTS,
	MF_SQL_LOG_INDEX_AT,
	/* the git publisher */
	MF_SQL_FACTS_CATCH_UP,
	MF_SQL_PUB_LAST,
	MF_SQL_PUB_PENDING,
	MF_SQL_PUB_KEYS,
	MF_SQL_PUB_RECORD,
	/* history and diffs */
	MF_SQL_MODEL_HISTORY,
	MF_SQL_VERSION_FOR_DIFF,
	/* indices */
	MF_SQL_INDEX_PUT,
	MF_SQL_INDEX_GET,
	MF_SQL_INDICES_LIST,
	/* coverage, compare, leaderboards */
	MF_SQL_BENCHMARKS_LIST,
	MF_SQL_BENCHMARK_ROWS,
	MF_SQL_ENVELOPE_BY_DIGEST,
	/* exports: one row per record, streamed (db/rows.h, api/export.h) */
	MF_SQL_STREAM_SESSION,
	MF_SQL_MODEL_EXISTS,
	MF_SQL_ORGS_EXPORT,
	MF_SQL_EVALS_EXPORT,
	MF_SQL_INDEX_EXPORT,
	MF_SQL_BENCHMARKS_EXPORT,
	MF_SQL_BENCHMARK_EXPORT,
	MF_SQL_BENCHMARK_EXISTS,
	/* the log as C2SP tiles (db/tiles.c) */
	MF_SQL_TLOG_TILE,
	MF_SQL_TLOG_ENTRIES,
	/* the read replica's lag (db/replica.c) */
	MF_SQL_PRIMARY_WAL_LSN,
	MF_SQL_REPLICA_REPLAY,
	/* GET /metrics: log size, sequencing and publication lag (json) */
	MF_SQL_METRICS_LAG,
	/* backups (cli/cmd_backup.c, cli/cmd_restore.c) */
	MF_SQL_BACKUP_SNAPSHOT,
	MF_SQL_BACKUP_TABLES,
	/* key rotation (cli/cmd_rotate.c) and what /v1/registry shows */
	MF_SQL_ROTATE_COMMIT,
	MF_SQL_ROTATE_LOG_BEGIN,
	MF_SQL_ROTATE_LOG_FINISH,
	MF_SQL_REGISTRY_KEY_HISTORY,
	/* witnessed checkpoints (migrations/0013, cosigning/) */
	MF_SQL_COSIG_STATE,
	MF_SQL_COSIG_SET_STATE,
	MF_SQL_COSIG_STORE,
	MF_SQL_COSIG_HAS,
	MF_SQL_COSIG_LINES,
	MF_SQL_COSIG_WITNESSED,
	MF_SQL__MAX
};

/* The statement's text; static storage. */
const char *mf_sql_text(enum mf_sql stmt);

#endif
