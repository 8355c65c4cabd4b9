/*
 * The log sequencer: one thread, in one server process at a time (the
 * "sequencer" lease in PostgreSQL decides which: lease.h), that gives committed
 * submissions their log indices in batches, stores the new tree nodes,
 * and signs a checkpoint, all in one transaction per batch (one fsync for
 * many submissions, as Certificate Transparency logs and Rekor v2 do).
 * It then NOTIFYs channel mf_log so every process can answer its waiting
 * clients (logwait.h).
 */
#ifndef MF_SEQUENCER_H
#define MF_SEQUENCER_H

#include "common/error.h"
#include "merkle/note.h"

struct mf_sequencer;

struct mf_logwait;

/*
 * Starts the thread; signer and logwait (which hears of each committed
 * batch while this process leads; NULL: none) are borrowed and must
 * outlive it.
 */
int mf_sequencer_start(struct mf_sequencer **out, const char *origin,
                       const struct mf_note_signer *signer,
                       struct mf_logwait *logwait, struct mf_error *err);
/* The lease's default length in milliseconds. */
#define MF_SEQUENCER_LEASE_MS 5000
/* The lease length of sequencers started from now on (0: the default);
 * call before mf_sequencer_start (server start-up: --lease-ms). */
void mf_sequencer_set_lease_ms(unsigned ms);
/* New submissions were committed: run a batch now rather than on the
 * next poll. Cheap; any thread. */
void mf_sequencer_kick(struct mf_sequencer *s);
/* Finishes the current batch, stops and frees. NULL is fine. */
void mf_sequencer_stop(struct mf_sequencer *s);

#endif
