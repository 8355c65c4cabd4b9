/*
 * The submission pipeline (DESIGN.md §3, issue "Signed submissions"):
 * envelope → key → signature → payload → header checks → authorisation →
 * validation → one PostgreSQL transaction. Nothing is stored unless every
 * step passes; a 2xx is only ever sent for a committed submission.
 */
#ifndef MF_INGEST_H
#define MF_INGEST_H

#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mf_app;

struct mf_ingest_result {
	int64_t submission_id;
	bool existing; /* already accepted earlier: answer 200, store nothing */
	json_t *warnings; /* owned: array of {pointer, message}, may be empty */
};

void mf_ingest_result_init(struct mf_ingest_result *r);
void mf_ingest_result_dispose(struct mf_ingest_result *r);

/*
 * Verifies, checks and stores one envelope (the request body, verbatim).
 * Runs on the calling thread's database connection. Returns 0 with
 * out->submission_id set, or a negative code with err filled in
 * (status and machine-readable code from the error table; JSON pointers
 * into the envelope or, prefixed "/payload", into the payload).
 */
int mf_ingest_submit(struct mf_app *app, const char *body, size_t len,
                     struct mf_ingest_result *out, struct mf_error *err);

#endif
