/*
 * GET /v1/mirrors: each configured git mirror (git/mirror.h) with the
 * commit it last received, the local head, its last error and how many
 * pushes were tried, so an operator sees a mirror falling behind.
 */
#include "api/mirrors.h"
#include "app/app.h"
#include "common/timeutil.h"
#include "git/mirror.h"

#include <string.h>

/* RFC 3339 of unix seconds, or JSON null for 0. */
static json_t *
time_or_null(int64_t s)
{
	char buf[40];

	if (s == 0)
		return json_null();
	mf_time_format_s(buf, sizeof(buf), s);
	return json_string(buf);
}

static json_t *
str_or_null(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

int
mf_h_mirrors(struct mf_request *req)
{
	struct mf_mirror *m = req->app->mirror;
	struct mf_mirror_status st;
	json_t *list = json_array(), *row;
	size_t i;

	if (list == NULL)
		return mf_error_set(&req->err, MF_E_NOMEM, NULL,
		                    "out of memory");
	for (i = 0; i < mf_mirror_count(m); i++) {
		if (mf_mirror_status(m, i, &st) != 0)
			break;
		row = json_pack(
		    "{s:s, s:o, s:o, s:b, s:o, s:I, s:I, s:I, s:o, s:o, s:o}",
		    "url", st.url, "head", str_or_null(st.head), "pushed",
		    str_or_null(st.pushed), "in_sync",
		    st.head[0] != '\0' && strcmp(st.head, st.pushed) == 0,
		    "last_error", str_or_null(st.error), "attempts",
		    (json_int_t)st.attempts, "failures",
		    (json_int_t)st.failures, "consecutive_failures",
		    (json_int_t)st.consecutive, "last_attempt",
		    time_or_null(st.last_attempt), "last_success",
		    time_or_null(st.last_success), "next_attempt",
		    time_or_null(st.next_attempt));
		if (row == NULL || json_array_append_new(list, row) != 0) {
			json_decref(list);
			return mf_error_set(&req->err, MF_E_NOMEM, NULL,
			                    "out of memory");
		}
	}
	return mf_http_respond_json(req, 200,
	                            json_pack("{s:o}", "mirrors", list));
}
