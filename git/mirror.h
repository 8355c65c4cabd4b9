/*
 * Git mirrors (issue 16): the published repository pushed to other git
 * remotes (a path, file://, git://, http(s):// without credentials) after
 * each batch, one thread per remote, so a slow or dead remote delays
 * neither publication nor the other remotes. A failed push is retried
 * with backoff (1 s, doubling, at most MF_MIRROR_BACKOFF_MAX_S); every
 * remote is also checked every MF_MIRROR_POLL_S, so a head moved by
 * another process is mirrored too. Pushes are fast-forward only: a remote
 * whose main has diverged is reported, never overwritten.
 *
 * Ownership: struct mf_mirror is opaque and owned by whoever started it
 * (server/main.c); mf_mirror_notify and mf_mirror_status may be called
 * from any thread while it runs.
 */
#ifndef MF_GIT_MIRROR_H
#define MF_GIT_MIRROR_H

#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MF_MIRROR_MAX           16
#define MF_MIRROR_POLL_S        10
#define MF_MIRROR_BACKOFF_MAX_S 60

struct mf_mirror;

/* What GET /v1/mirrors shows of one remote; a copy, the caller's. */
struct mf_mirror_status {
	char url[512];   /* as configured, with any password removed */
	char head[41];   /* the local main when last looked at, or "" */
	char pushed[41]; /* the remote's main after the last push, or "" */
	char error[256]; /* the last attempt's error, "" when it worked */
	unsigned long attempts;    /* pushes tried */
	unsigned long failures;    /* of them, failed */
	unsigned long consecutive; /* failures since the last success */
	int64_t last_attempt;      /* unix seconds, 0: never */
	int64_t last_success;      /* unix seconds, 0: never */
	int64_t next_attempt;      /* unix seconds of the retry, 0: none due */
};

/*
 * Starts one thread per line of urls (blank lines ignored) pushing
 * git_dir's refs/heads/main and refs/tags/ there. *out is NULL when urls
 * names none. MF_E_BAD_PARAM for more than MF_MIRROR_MAX remotes or a
 * URL too long; MF_E_NOMEM; MF_E_INTERNAL when a thread cannot start.
 */
int mf_mirror_start(struct mf_mirror **out, const char *git_dir,
                    const char *urls, struct mf_error *err);
/* A batch was published: push now. Never blocks on a push; NULL is fine. */
void mf_mirror_notify(struct mf_mirror *m);
/* How many remotes (0 for NULL). */
size_t mf_mirror_count(const struct mf_mirror *m);
/* Copies remote i's status into *out; MF_E_NOT_FOUND past the end. */
int mf_mirror_status(struct mf_mirror *m, size_t i,
                     struct mf_mirror_status *out);
/*
 * Stops the threads: a push in progress is cancelled at its next
 * progress report; waits at most wait_ms, then leaves a thread still
 * stuck (in a connect) behind, and its memory with it. NULL is fine.
 */
void mf_mirror_stop(struct mf_mirror *m, unsigned wait_ms);

#endif
