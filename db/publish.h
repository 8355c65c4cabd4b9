/*
 * What the git publisher reads from and writes to the database (the PUB_*
 * statements of sql.c): the lock that makes one process the publisher,
 * the log entries still to publish, an organisation's keys as of an
 * entry, and the commit ids of published entries.
 */
#ifndef MF_DB_PUBLISH_H
#define MF_DB_PUBLISH_H

#include "common/buf.h"
#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The highest log index with a recorded commit, or -1 for none. */
int mf_db_pub_last(int64_t *out, struct mf_error *err);

/*
 * Brings the cross-model facts (migrations/0008: list_facts,
 * judgement_facts) up to log position upto (-1: the newest), at most max
 * entries in one transaction; *through (may be NULL) the position they
 * reach. One writer at a time (an advisory lock); cheap when they are
 * there already. The publisher calls it as it wakes; lists (db/search.c)
 * before they read at a position.
 */
int mf_db_facts_catch_up(int64_t upto, int max, int64_t *through,
                         struct mf_error *err);

/* One sequenced log entry, as its commit needs it. Strings are borrowed
 * from the batch that holds the entry and never NULL unless said. */
struct mf_db_pub_entry {
	int64_t log_index;
	const char *kind;           /* "disclosure", "eval-result", ... */
	const char *signer;         /* the signing organisation */
	const char *org, *model;    /* the subject; model "" for an org */
	const char *payload_sha256; /* hex */
	int64_t accepted;           /* seconds since the epoch */
	const char *accepted_at;    /* UTC, to the second */
	const char *keyids;         /* space-separated */
	const char *envelope;       /* the DSSE envelope, verbatim */
	int version;                /* 0: no version concerned */
	const char *checkpoint;     /* the first checkpoint covering the
	                               entry; NULL: none yet */
	size_t checkpoint_len;
};

/* The entries of one mf_db_pub_pending call; owns their strings. */
struct mf_db_pub_batch {
	struct mf_db_pub_entry *entries; /* n of them, in log order */
	size_t n;
	void *rows; /* db/ only: the result the strings point into */
};

/*
 * Up to limit sequenced entries with log index >= from, in log order.
 * out is caller-allocated and filled (n 0: nothing pending);
 * mf_db_pub_batch_dispose it afterwards, also after a failure.
 */
int mf_db_pub_pending(struct mf_db_pub_batch *out, int64_t from, int limit,
                      struct mf_error *err);
void mf_db_pub_batch_dispose(struct mf_db_pub_batch *b);

/*
 * The keys of org as the log knew them at entry log_index (added by then
 * or registered by the operator before it; revoked by then or not), as a
 * JSON array sorted by key id: *out gets a new reference, or NULL (and 0
 * returned) when org had no key then.
 */
int mf_db_pub_keys(json_t **out, const char *org, int64_t log_index,
                   struct mf_error *err);

/*
 * Commit ids of published entries, collected and then stored in one
 * statement: mf_db_pub_records_init, _add per entry, mf_db_pub_record
 * (which uses the list up: dispose it, or init it again), _dispose.
 */
struct mf_db_pub_records {
	struct mf_buf log_index, commit_id; /* array literals being built */
	size_t n;
};

void mf_db_pub_records_init(struct mf_db_pub_records *r);
int mf_db_pub_records_add(struct mf_db_pub_records *r, int64_t log_index,
                          const char *commit_id);
/* Stores them (a commit id recorded earlier for an index is replaced). */
int mf_db_pub_record(struct mf_db_pub_records *r, struct mf_error *err);
void mf_db_pub_records_dispose(struct mf_db_pub_records *r);

#endif
