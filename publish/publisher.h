/*
 * The git publisher (DESIGN.md §5): one thread, in one server process at
 * a time (the publisher lease, sequencer/lease.c, decides which), turns every
 * log entry, in log order, into exactly one signed commit of the bare
 * repository, tags each disclosure version, and records the commit ids in
 * PostgreSQL. Its outbox is the log itself: the entries after the last
 * published index. The repository's head commit says (in its Log-Index
 * trailer) how far publication got, so a publisher killed at any instant
 * resumes exactly where the repository stands: no gaps, no duplicates.
 */
#ifndef MF_PUBLISHER_H
#define MF_PUBLISHER_H

#include "common/error.h"

struct mf_app;
struct mf_publisher;

/* Starts the thread; app must outlive it. */
int mf_publisher_start(struct mf_publisher **out, struct mf_app *app,
                       struct mf_error *err);
/* Finishes the current batch, stops and frees. NULL is fine. */
void mf_publisher_stop(struct mf_publisher *p);

/*
 * What the thread does in one round, on the calling thread and without
 * waiting: takes the publisher lock (MF_E_CONFLICT when another session
 * holds it), opens the repository at app->cfg->git_dir, records commits
 * the database missed, then publishes batches until nothing is pending,
 * and closes the thread's database connection (releasing the lock), as
 * the thread does when it stops. *published gets how many entries it
 * committed. For tests and tools; a running publisher thread must not
 * share the repository.
 */
int mf_publisher_run_once(struct mf_app *app, int *published,
                          struct mf_error *err);

#endif
