/*
 * The registry asks witnesses (issue 17): one thread per configured
 * witness of the --witnesses policy file (merkle/policy.h) that, while this
 * process's sequencer holds the "sequencer" lease, sends the log's newest
 * checkpoint to the witness with C2SP tlog-witness v1.0.0 `add-checkpoint` (the
 * old size the witness cosigned last and a consistency proof from it), verifies
 * the cosignature it answers (cosignature/v1, tlog-cosignature v1.0.1)
 * with the witness's key, and stores it (db/cosign.h). Intermediate
 * checkpoints are skipped when a witness is behind: it is always asked
 * for the newest. Requests have timeouts and failures back off, and
 * nothing here is on the path of a submission or of the sequencer.
 *
 * The struct is owned by the caller of mf_cosigning_start; its counters
 * are read by GET /metrics from any thread.
 */
#ifndef MF_COSIGNING_COSIGNER_H
#define MF_COSIGNING_COSIGNER_H

#include "common/buf.h"
#include "common/error.h"

#include <stddef.h>

struct mf_cosigning;
struct mf_logwait;

/*
 * Reads the tlog-policy file at `policy_path` (NULL or "": no witnesses,
 * *out NULL) and checks every witness's key and URL; starts nothing, so
 * a server can refuse a bad file before any thread runs. MF_E_BAD_PARAM
 * saying which file, line or witness is wrong.
 */
int mf_cosigning_new(struct mf_cosigning **out, const char *policy_path,
                     struct mf_error *err);
/*
 * Starts a thread per witness (c NULL: nothing). logwait (borrowed, must
 * outlive it) says whether this process leads the sequencer.
 */
int mf_cosigning_start(struct mf_cosigning *c, struct mf_logwait *logwait,
                       struct mf_error *err);
/* Stops the threads (an exchange in flight is cut short) and frees.
 * NULL is fine. */
void mf_cosigning_stop(struct mf_cosigning *c);

/* How many witnesses it asks (0 for NULL). */
size_t mf_cosigning_count(const struct mf_cosigning *c);

/*
 * Appends the witnesses' families to out (Prometheus text 0.0.4): per
 * witness key name, cosignatures collected and failed exchanges
 * (counters), and the witnessing lag (gauges): entries of the newest
 * checkpoint it has not cosigned, and seconds since the first checkpoint
 * it has not cosigned was signed (0 when it is up to date, and on a
 * node that does not sequence). Nothing for NULL. 0 or MF_E_NOMEM.
 */
int mf_cosigning_metrics_write(const struct mf_cosigning *c,
                               struct mf_buf *out);

#endif
