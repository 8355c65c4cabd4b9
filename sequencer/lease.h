/*
 * A leader lease as one thread holds it (lease.c): the sequencer and the
 * git publisher each keep one (roles "sequencer" and "publisher"), on
 * their own database connection. The lease lives in PostgreSQL
 * (db/tlog.h, migrations/0011_lease.sql); this module decides when to try
 * to take it, when to renew it (every third of its length), and gives up
 * leading as soon as a renewal or a fence fails. The struct belongs to
 * the one thread that calls these functions.
 */
#ifndef MF_SEQUENCER_LEASE_H
#define MF_SEQUENCER_LEASE_H

#include "common/error.h"

#include <stdbool.h>
#include <stdint.h>

struct mf_lease {
	const char *role;      /* "sequencer" or "publisher" */
	unsigned ms;           /* the lease's length */
	int64_t token;         /* the fencing token; 0: not leading */
	int64_t renewed_ns;    /* monotonic time the last renewal began */
	int64_t tried_ns;      /* ... the last attempt to acquire began */
	unsigned long session; /* database session the limit was set in */
	bool reclaim; /* the next attempt may take it from our node id */
};

/*
 * This node's id: the one set with mf_lease_set_node_id (the server
 * keeps one in its state directory, so a restarted node takes its own
 * leases back at once rather than after they expire), else one made up
 * on first use (host/pid/start time). Set before any lease is used.
 */
const char *mf_lease_node_id(void);
void mf_lease_set_node_id(const char *id);

void mf_lease_init(struct mf_lease *l, const char *role, unsigned ms);

/*
 * Call often (at least every ms/3 while leading): tries to acquire the
 * lease when it is not held (at most every min(ms/3, 200 ms); the first
 * attempt also takes it back from this node id's previous run), renews it
 * when a third of it has passed. *gained is set when it was just
 * acquired: whatever the caller knows about the shared state must be
 * reloaded from the database. Errors leave the lease as it was locally;
 * a lease that could not be renewed in time is dropped.
 */
int mf_lease_tick(struct mf_lease *l, bool *gained, struct mf_error *err);

/* Whether this thread may lead now (held, and not locally past expiry). */
bool mf_lease_held(const struct mf_lease *l);

/*
 * The fence, first inside each transaction that writes the role's work:
 * MF_E_CONFLICT (and the lease is dropped locally) when another node
 * holds it now; the caller rolls back.
 */
int mf_lease_fence(struct mf_lease *l, struct mf_error *err);

/* Drops the lease locally; forget it in the database too when possible. */
void mf_lease_release(struct mf_lease *l);

#endif
