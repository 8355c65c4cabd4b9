/*
 * Unit tests for http/metrics: requests counted by their route row (a
 * raw path never becomes a label), latency buckets cumulative, the
 * submission outcomes by error code, label values escaped, and the
 * token rule of --metrics-token (read from a file, trailing newline cut).
 */
#include "http/metrics.h"
#include "common/buf.h"
#include "common/error.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static int
h(struct mf_request *req)
{
	(void)req;
	return 0;
}

static const struct mf_route routes[] = {
    {"GET", "/v1/models/{org}/{model}", h},
    {"POST", "/v1/submissions", h},
};

/* Whether text holds line as one whole line. */
static bool
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
		p++;
	}
	return false;
}

static void
test_counts_and_exposition(void **state)
{
	struct mf_metrics *m = NULL;
	struct mf_error err;
	struct mf_buf out = MF_BUF_INIT;
	char *text;

	(void)state;
	mf_error_init(&err);
	assert_int_equal(mf_metrics_new(&m, routes, 2, NULL, &err), 0);
	mf_metrics_request(m, &routes[0], 200, 500000, NULL); /* 0.5 ms */
	mf_metrics_request(m, &routes[0], 404, 30000000,
	                   "not_found");                           /* 30 ms */
	mf_metrics_request(m, &routes[0], 404, 20000000000, NULL); /* 20 s */
	mf_metrics_request(m, NULL, 404, 1000, "not_found");
	mf_metrics_request(m, &routes[1], 201, 1000, NULL);
	mf_metrics_request(m, &routes[1], 400, 1000, "invalid_json");
	mf_metrics_request(m, &routes[1], 400, 1000, "invalid_json");
	mf_metrics_request(m, &routes[1], 429, 1000, "rate_limited");
	mf_metrics_request(m, &routes[1], 500, 1000, NULL);
	mf_metrics_add(m, MF_METRIC_LIMITED_KEY, 3);
	assert_int_equal(mf_metrics_write(m, &out), 0);
	assert_int_equal(mf_buf_putc(&out, '\0'), 0);
	text = out.data;
	assert_true(has_line(text, "modelfacts_http_requests_total{route=\"/v1/"
	                           "models/{org}/{model}\",method=\"GET\",code="
	                           "\"404\",class=\"4xx\"} 2"));
	assert_true(has_line(text, "modelfacts_http_requests_total{route="
	                           "\"unmatched\",method=\"any\",code=\"404\","
	                           "class=\"4xx\"} 1"));
	/* cumulative buckets: 0.5 ms in the first, 30 ms by 0.05, 20 s
	 * only in +Inf; the sum in seconds */
	assert_true(has_line(text, "modelfacts_http_request_duration_seconds_"
	                           "bucket{route=\"/v1/models/{org}/{model}\","
	                           "method=\"GET\",le=\"0.001\"} 1"));
	assert_true(has_line(text, "modelfacts_http_request_duration_seconds_"
	                           "bucket{route=\"/v1/models/{org}/{model}\","
	                           "method=\"GET\",le=\"0.025\"} 1"));
	assert_true(has_line(text, "modelfacts_http_request_duration_seconds_"
	                           "bucket{route=\"/v1/models/{org}/{model}\","
	                           "method=\"GET\",le=\"0.05\"} 2"));
	assert_true(has_line(text, "modelfacts_http_request_duration_seconds_"
	                           "bucket{route=\"/v1/models/{org}/{model}\","
	                           "method=\"GET\",le=\"10\"} 2"));
	assert_true(has_line(text, "modelfacts_http_request_duration_seconds_"
	                           "bucket{route=\"/v1/models/{org}/{model}\","
	                           "method=\"GET\",le=\"+Inf\"} 3"));
	assert_true(has_line(text, "modelfacts_http_request_duration_seconds_"
	                           "sum{route=\"/v1/models/{org}/{model}\","
	                           "method=\"GET\"} 20.0305"));
	/* submissions: accepted, and rejected by the answer's code */
	assert_true(has_line(text, "modelfacts_submissions_accepted_total 1"));
	assert_true(has_line(text, "modelfacts_submissions_rejected_total{"
	                           "reason=\"invalid_json\"} 2"));
	assert_true(has_line(text, "modelfacts_submissions_rejected_total{"
	                           "reason=\"rate_limited\"} 1"));
	assert_true(has_line(text, "modelfacts_submissions_rejected_total{"
	                           "reason=\"http_5xx\"} 1"));
	assert_true(has_line(text, "modelfacts_rate_limited_total{limit="
	                           "\"signing_key\"} 3"));
	/* a GET 404 is no submission */
	assert_null(strstr(text, "reason=\"not_found\""));
	/* every family once, typed */
	assert_non_null(
	    strstr(text, "# TYPE modelfacts_http_request_duration_seconds "
	                 "histogram\n"));
	{
		const char *t1 = strstr(
		    text, "# TYPE modelfacts_rate_limited_total counter");

		assert_non_null(t1);
		assert_null(
		    strstr(t1 + 1, "# TYPE modelfacts_rate_limited_total"));
	}
	mf_buf_dispose(&out);
	mf_metrics_free(m);
	mf_error_dispose(&err);
}

static void
test_label_escape(void **state)
{
	char out[32];

	(void)state;
	mf_metrics_label_escape(out, sizeof(out), "a\"b\\c\nd");
	assert_string_equal(out, "a\\\"b\\\\c\\nd");
	/* an escape is written whole or not at all */
	mf_metrics_label_escape(out, 3, "a\"");
	assert_string_equal(out, "a");
}

static void
test_token(void **state)
{
	char path[] = "/tmp/mf-metrics-token-XXXXXX";
	struct mf_metrics *m = NULL;
	struct mf_error err;
	int fd;

	(void)state;
	mf_error_init(&err);
	/* no token: everyone */
	assert_int_equal(mf_metrics_new(&m, routes, 2, "", &err), 0);
	assert_true(mf_metrics_authorized(m, NULL));
	mf_metrics_free(m);
	/* a token file: its first line, the newline cut */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "tok-1\n", 6), 6);
	close(fd);
	assert_int_equal(mf_metrics_new(&m, routes, 2, path, &err), 0);
	assert_false(mf_metrics_authorized(m, NULL));
	assert_false(mf_metrics_authorized(m, "Bearer tok-"));
	assert_false(mf_metrics_authorized(m, "Bearer tok-12"));
	assert_false(mf_metrics_authorized(m, "Basic tok-1"));
	assert_true(mf_metrics_authorized(m, "Bearer tok-1"));
	assert_true(mf_metrics_authorized(m, "bearer tok-1"));
	mf_metrics_free(m);
	/* an empty file or none at all refuses to start */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(mf_metrics_new(&m, routes, 2, path, &err),
	                 MF_E_BAD_PARAM);
	assert_null(m);
	unlink(path);
	mf_error_dispose(&err);
	mf_error_init(&err);
	assert_int_equal(mf_metrics_new(&m, routes, 2, path, &err),
	                 MF_E_BAD_PARAM);
	assert_non_null(strstr(err.message, "cannot read"));
	mf_error_dispose(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_counts_and_exposition),
	    cmocka_unit_test(test_label_escape),
	    cmocka_unit_test(test_token),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
