/* Unit tests for validators/semantic: every rule, with its error or
 * warning path and a clean baseline, on small hand-made payloads. */
#include "common/doctype.h"
#include "common/timeutil.h"
#include "validators/semantic.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static int64_t now_ms;
static struct mf_doc_report rep;

static const char *const bases[MF_DOC__MAX] = {
    [MF_DOC_DISCLOSURE] =
        "{\"type\":\"disclosure\",\"registry\":\"modelfacts.localhost\","
        "\"subject\":{\"org\":\"acme\",\"model\":\"m1\"},"
        "\"issued_at\":\"2026-10-01T00:00:00Z\",\"seq\":2,"
        "\"supersedes\":null,\"identity\":{\"name\":\"M1\"}}",
    [MF_DOC_EVAL_RESULT] =
        "{\"type\":\"eval-result\",\"registry\":\"modelfacts.localhost\","
        "\"subject\":{\"org\":\"acme\",\"model\":\"m1\"},"
        "\"issued_at\":\"2026-10-01T00:00:00Z\",\"seq\":3,"
        "\"benchmark\":{\"id\":\"gsm8k\"},"
        "\"metric\":{\"name\":\"accuracy\",\"scale\":\"fraction\"},"
        "\"value\":0.5,\"assurance\":\"self_reported\"}",
    [MF_DOC_ASSESSMENT] =
        "{\"type\":\"assessment\",\"registry\":\"modelfacts.localhost\","
        "\"subject\":{\"org\":\"acme\",\"model\":\"m1\"},"
        "\"issued_at\":\"2026-10-01T00:00:00Z\",\"seq\":4,"
        "\"index\":\"modelfacts-v1\",\"scores\":{\"data-size\":"
        "{\"score\":1,\"justification\":\"Stated in tokens.\"}}}",
    [MF_DOC_KEY_EVENT] =
        "{\"type\":\"key-event\",\"registry\":\"modelfacts.localhost\","
        "\"subject\":{\"org\":\"acme\"},"
        "\"issued_at\":\"2026-10-01T00:00:00Z\",\"seq\":5,"
        "\"action\":\"add\",\"key\":{\"public_key\":"
        "\"-----BEGIN PUBLIC KEY-----\\nMCowBQYDK2VwAyEAFlRLupF8ku5qNFjyzF+"
        "T5/tvKx5b7+tIZj1KHH9birY=\\n-----END PUBLIC KEY-----\\n\"}}",
    [MF_DOC_WITHDRAWAL] =
        "{\"type\":\"withdrawal\",\"registry\":\"modelfacts.localhost\","
        "\"subject\":{\"org\":\"acme\",\"model\":\"m1\"},"
        "\"issued_at\":\"2026-10-01T00:00:00Z\",\"seq\":6,"
        "\"withdraws\":\"sha256:"
        "00000000000000000000000000000000000000000000000000000000000000aa\","
        "\"reason\":\"The run used the wrong split.\","
        "\"date\":\"2026-10-01\"}",
};

/* Key id of the Ed25519 key above (openssl pkey -outform DER | sha256). */
#define ED_KEYID                                                               \
	"4eb7e75617d2704994723784d254df7d8a86c8ea263028c92646b52b05d1193a"

static json_t *
base(enum mf_doctype t)
{
	json_error_t je;
	json_t *d = json_loads(bases[t], 0, &je);

	if (d == NULL)
		fail_msg("base %d: %s", (int)t, je.text);
	return d;
}

/* Sets the member at an object-only pointer, creating objects on the
 * way; value is JSON text. */
static void
set(json_t *doc, const char *pointer, const char *value)
{
	char buf[256], *tok, *next, *save = NULL;
	json_error_t je;
	json_t *v = json_loads(value, JSON_DECODE_ANY, &je), *cur = doc;

	if (v == NULL)
		fail_msg("value %s: %s", value, je.text);
	snprintf(buf, sizeof(buf), "%s", pointer + 1);
	tok = strtok_r(buf, "/", &save);
	while (tok != NULL) {
		next = strtok_r(NULL, "/", &save);
		if (next == NULL) {
			if (json_is_array(cur))
				json_array_set_new(cur, strtoul(tok, NULL, 10),
				                   v);
			else
				json_object_set_new(cur, tok, v);
			return;
		}
		if (json_is_array(cur)) {
			cur = json_array_get(cur, strtoul(tok, NULL, 10));
		} else {
			if (json_object_get(cur, tok) == NULL)
				json_object_set_new(cur, tok, json_object());
			cur = json_object_get(cur, tok);
		}
		tok = next;
	}
}

static void
del(json_t *doc, const char *member)
{
	json_object_del(doc, member);
}

static const struct mf_doc_report *
run(json_t *doc, enum mf_doctype t)
{
	struct mf_semantic_options opt = {now_ms};

	mf_doc_report_dispose(&rep);
	mf_doc_report_init(&rep);
	assert_int_equal(mf_semantic_check(doc, (int)t, &opt, &rep), 0);
	json_decref(doc);
	return &rep;
}

static bool
has(const struct mf_doc_issue *v, size_t n, const char *ptr, const char *code)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].pointer, ptr) == 0 &&
		    strcmp(v[i].code, code) == 0)
			return true;
	return false;
}

static void
dump(const struct mf_doc_report *r)
{
	size_t i;

	for (i = 0; i < r->n_errors; i++)
		printf("  error %s [%s] %s\n", r->errors[i].pointer,
		       r->errors[i].code, r->errors[i].message);
	for (i = 0; i < r->n_warnings; i++)
		printf("  warning %s [%s] %s\n", r->warnings[i].pointer,
		       r->warnings[i].code, r->warnings[i].message);
}

static void
expect_error(const struct mf_doc_report *r, const char *ptr, const char *code)
{
	if (!has(r->errors, r->n_errors, ptr, code)) {
		dump(r);
		fail_msg("no error %s at '%s'", code, ptr);
	}
}

static void
expect_warning(const struct mf_doc_report *r, const char *ptr, const char *code)
{
	if (!has(r->warnings, r->n_warnings, ptr, code)) {
		dump(r);
		fail_msg("no warning %s at '%s'", code, ptr);
	}
	if (r->n_errors != 0) {
		dump(r);
		fail_msg("a warning case produced errors");
	}
}

static void
expect_clean(const struct mf_doc_report *r)
{
	if (r->n_errors != 0 || r->n_warnings != 0) {
		dump(r);
		fail_msg("expected no issues");
	}
}

static int
setup(void **state)
{
	int64_t us;

	(void)state;
	assert_int_equal(mf_time_parse_rfc3339("2026-12-01T00:00:00Z", &us), 0);
	now_ms = us / 1000;
	mf_doc_report_init(&rep);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	mf_doc_report_dispose(&rep);
	return 0;
}

/* ------------------------------------------------------------------ */

static void
test_baselines_clean(void **state)
{
	int t;

	(void)state;
	for (t = 0; t < MF_DOC__MAX; t++)
		expect_clean(run(base((enum mf_doctype)t), (enum mf_doctype)t));
}

static void
test_url_ok(void **state)
{
	static const char *const good[] = {
	    "https://example.org",      "http://example.org/a?b=c#d",
	    "HTTPS://EXAMPLE.ORG/",     "https://[2001:db8::1]:8443/x",
	    "https://a.example:65535/", "https://\xc3\xa9xample.org/",
	};
	static const char *const bad[] = {
	    "javascript:alert(1)",
	    "data:text/html,hi",
	    "file:///etc/passwd",
	    "ftp://example.org/",
	    "https://",
	    "https:///path",
	    "https://user:pw@example.org/",
	    "https://example.org/a b",
	    "https://example.org/\x01",
	    "https://exa<mple.org/",
	    "https://example.org:99999/",
	    "https://example.org:/",
	    "https://[2001:db8::1/",
	    "//example.org/",
	};
	const char *why;
	size_t i;
	char long_url[2100];

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!mf_semantic_url_ok(good[i], &why))
			fail_msg("%s rejected: %s", good[i], why);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		if (mf_semantic_url_ok(bad[i], &why))
			fail_msg("%s accepted", bad[i]);
		assert_non_null(why);
	}
	memset(long_url, 'a', sizeof(long_url));
	memcpy(long_url, "https://x.org/", 14);
	long_url[sizeof(long_url) - 1] = '\0';
	assert_false(mf_semantic_url_ok(long_url, NULL));
}

static void
test_strings(void **state)
{
	json_t *d;
	char big[20100];

	(void)state;
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/identity/name", "\"M\\u0007one\"");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/identity/name",
	             "control_character");

	d = base(MF_DOC_DISCLOSURE);
	set(d, "/identity/developer", "\"Acme\\nInc\"");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/identity/developer",
	             "control_character");

	/* Line breaks and tabs are fine in multi-line text... */
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/identity/description", "\"Line one.\\n\\tLine two.\"");
	expect_clean(run(d, MF_DOC_DISCLOSURE));
	/* ...but not carriage returns or C1 controls. */
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/identity/description", "\"a\\r\\nb\"");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/identity/description",
	             "control_character");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/identity/description", "\"a\\u0085b\"");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/identity/description",
	             "control_character");

	d = base(MF_DOC_DISCLOSURE);
	set(d, "/identity/description", "\"abc\\u202Egnp.exe\"");
	expect_warning(run(d, MF_DOC_DISCLOSURE), "/identity/description",
	               "bidi_control");

	memset(big, 'x', sizeof(big));
	big[0] = '"';
	big[20003] = '"';
	big[20004] = '\0';
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/identity/description", big);
	expect_error(run(d, MF_DOC_DISCLOSURE), "/identity/description",
	             "text_too_long");

	d = base(MF_DOC_DISCLOSURE);
	set(d, "/uses/intended", "[\"ok\", \" JavaScript:alert(1)\"]");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/uses/intended/1",
	             "url_scheme");

	d = base(MF_DOC_DISCLOSURE);
	set(d, "/identity/documentation", "[\"ftp://x.org/card\"]");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/identity/documentation/0",
	             "url");
	/* URL rules apply through status wrappers and in references. */
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/distribution/terms_of_service",
	    "{\"status\":\"disclosed\",\"value\":\"file:///x\"}");
	expect_error(run(d, MF_DOC_DISCLOSURE),
	             "/distribution/terms_of_service/value", "url");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/data/size",
	    "{\"status\":\"withheld\",\"explanation\":\"x\","
	    "\"references\":[\"http://example.org/why\"]}");
	expect_warning(run(d, MF_DOC_DISCLOSURE), "/data/size/references/0",
	               "insecure_url");

	d = base(MF_DOC_DISCLOSURE);
	set(d, "/identity/release_date", "\"2026-02-29\"");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/identity/release_date",
	             "invalid_date");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/data/cutoff", "\"1850-01-01\"");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/data/cutoff", "date_range");
	d = base(MF_DOC_KEY_EVENT);
	set(d, "/key/not_after", "\"2027-13-01T00:00:00Z\"");
	expect_error(run(d, MF_DOC_KEY_EVENT), "/key/not_after",
	             "invalid_timestamp");
}

static void
test_nesting(void **state)
{
	char text[600];
	json_t *d;
	int i, n = 0;

	(void)state;
	for (i = 0; i < 40; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "[");
	for (i = 0; i < 40; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "]");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/identity/extra", text);
	assert_true(run(d, MF_DOC_DISCLOSURE)->n_errors == 1);
	assert_string_equal(rep.errors[0].code, "too_deep");
}

static void
test_header(void **state)
{
	json_t *d;

	(void)state;
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/issued_at", "\"2014-12-31T23:59:59Z\"");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/issued_at", "issued_at");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/issued_at", "\"2026-12-02T12:00:00+02:00\"");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/issued_at", "issued_at");
	/* Within the day of slack it is fine. */
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/issued_at", "\"2026-12-01T20:00:00Z\"");
	expect_clean(run(d, MF_DOC_DISCLOSURE));
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/issued_at", "\"yesterday\"");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/issued_at",
	             "invalid_timestamp");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/seq", "0");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/seq", "seq");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/seq", "1.5");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/seq", "seq");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/registry", "\"modelfacts localhost\"");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/registry", "registry");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/subject/org", "\"Acme\"");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/subject/org", "slug");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/subject/model", "\"../etc\"");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/subject/model", "slug");
	d = base(MF_DOC_DISCLOSURE);
	json_object_del(json_object_get(d, "subject"), "model");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/subject", "slug");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/subject/model", "\"m1--beta-\"");
	expect_warning(run(d, MF_DOC_DISCLOSURE), "/subject/model",
	               "slug_style");
	d = base(MF_DOC_KEY_EVENT);
	set(d, "/subject/model", "\"m1\"");
	expect_error(run(d, MF_DOC_KEY_EVENT), "/subject/model",
	             "key_event_model");
	/* Anything but an object is rejected at the root. */
	expect_error(run(json_array(), MF_DOC_DISCLOSURE), "", "type");
}

static void
test_supersedes(void **state)
{
	json_t *d;

	(void)state;
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/supersedes",
	    "\"sha256:0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef\"");
	expect_clean(run(d, MF_DOC_DISCLOSURE));
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/supersedes",
	    "\"sha256:0123456789ABCDEF0123456789abcdef"
	    "0123456789abcdef0123456789abcdef\"");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/supersedes", "supersedes");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/supersedes", "\"sha256:0123\"");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/supersedes", "supersedes");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/supersedes",
	    "\"sha256:0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdeg\"");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/supersedes", "supersedes");
	/* an organisation's first document may replace a version a curator
	 * transcribed (test_curation.py): seq 1 with supersedes is clean */
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/seq", "1");
	set(d, "/supersedes",
	    "\"sha256:0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef\"");
	expect_clean(run(d, MF_DOC_DISCLOSURE));
}

static void
test_disclosure_dates(void **state)
{
	json_t *d;

	(void)state;
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/training/start_date", "\"2026-01-10\"");
	set(d, "/training/end_date", "\"2026-03-01\"");
	set(d, "/identity/release_date", "\"2026-04-01\"");
	set(d, "/data/cutoff", "\"2025-12-31\"");
	expect_clean(run(d, MF_DOC_DISCLOSURE));

	d = base(MF_DOC_DISCLOSURE);
	set(d, "/training/start_date", "\"2026-03-02\"");
	set(d, "/training/end_date", "\"2026-03-01\"");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/training/end_date",
	             "date_order");
	/* Dates are read through wrappers; the pointer says so. */
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/training/end_date",
	    "{\"status\":\"disclosed\",\"value\":\"2026-03-01\"}");
	set(d, "/identity/release_date", "\"2026-02-01\"");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/identity/release_date",
	             "date_order");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/training/start_date", "\"2026-03-01\"");
	set(d, "/identity/release_date", "\"2026-02-01\"");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/identity/release_date",
	             "date_order");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/training/end_date", "\"2026-03-01\"");
	set(d, "/data/cutoff", "\"2026-04-01\"");
	expect_warning(run(d, MF_DOC_DISCLOSURE), "/data/cutoff", "date_order");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/identity/release_date", "\"2026-04-01\"");
	set(d, "/downstream/deprecation/end_of_support", "\"2026-03-01\"");
	expect_error(run(d, MF_DOC_DISCLOSURE),
	             "/downstream/deprecation/end_of_support", "date_order");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/training/end_date", "\"2026-10-20\"");
	expect_warning(run(d, MF_DOC_DISCLOSURE), "/training/end_date",
	               "date_future");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/identity/release_date", "\"2028-01-01\"");
	expect_warning(run(d, MF_DOC_DISCLOSURE), "/identity/release_date",
	               "date_future");
}

static void
test_disclosure_numbers(void **state)
{
	json_t *d;

	(void)state;
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/model/parameters", "{\"amount\":7e9,\"unit\":\"parameters\"}");
	set(d, "/model/active_parameters",
	    "{\"amount\":1.3e9,\"unit\":\"parameters\"}");
	set(d, "/data/size", "{\"amount\":2e12,\"unit\":\"tokens\"}");
	set(d, "/compute/training_flop",
	    "{\"amount\":8.4e22,\"unit\":\"FLOP\"}");
	set(d, "/compute/accelerator_hours",
	    "{\"amount\":5e5,\"unit\":\"hours\"}");
	set(d, "/compute/energy", "{\"amount\":350,\"unit\":\"MWh\"}");
	set(d, "/model/context_window",
	    "{\"amount\":8192,\"unit\":\"tokens\"}");
	set(d, "/model/max_output", "{\"amount\":4096,\"unit\":\"tokens\"}");
	expect_clean(run(d, MF_DOC_DISCLOSURE));

	d = base(MF_DOC_DISCLOSURE);
	set(d, "/model/parameters", "{\"amount\":500,\"unit\":\"parameters\"}");
	expect_warning(run(d, MF_DOC_DISCLOSURE), "/model/parameters",
	               "suspicious_value");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/model/parameters",
	    "{\"amount\":5e14,\"unit\":\"parameters\"}");
	expect_warning(run(d, MF_DOC_DISCLOSURE), "/model/parameters",
	               "suspicious_value");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/model/parameters", "{\"amount\":7e9,\"unit\":\"parameters\"}");
	set(d, "/model/active_parameters",
	    "{\"status\":\"disclosed\",\"value\":"
	    "{\"amount\":8e9,\"unit\":\"parameters\"}}");
	expect_error(run(d, MF_DOC_DISCLOSURE),
	             "/model/active_parameters/value", "range");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/model/context_window", "{\"amount\":4,\"unit\":\"tokens\"}");
	expect_warning(run(d, MF_DOC_DISCLOSURE), "/model/context_window",
	               "suspicious_value");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/model/context_window",
	    "{\"amount\":8192,\"unit\":\"tokens\"}");
	set(d, "/model/max_output", "{\"amount\":9000,\"unit\":\"tokens\"}");
	expect_warning(run(d, MF_DOC_DISCLOSURE), "/model/max_output",
	               "suspicious_value");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/compute/training_flop", "{\"amount\":1e12,\"unit\":\"FLOP\"}");
	expect_warning(run(d, MF_DOC_DISCLOSURE), "/compute/training_flop",
	               "suspicious_value");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/data/size", "{\"amount\":1000,\"unit\":\"tokens\"}");
	expect_warning(run(d, MF_DOC_DISCLOSURE), "/data/size",
	               "suspicious_value");
	/* 6 x 7e9 x 2e12 = 8.4e22; 8.4e25 is a thousand times that. */
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/model/parameters", "{\"amount\":7e9,\"unit\":\"parameters\"}");
	set(d, "/data/size", "{\"amount\":2e12,\"unit\":\"tokens\"}");
	set(d, "/compute/training_flop",
	    "{\"amount\":8.4e25,\"unit\":\"FLOP\"}");
	expect_warning(run(d, MF_DOC_DISCLOSURE), "/compute/training_flop",
	               "suspicious_value");
	/* 350 kWh over 5e5 accelerator hours is 0.0007 kW each. */
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/compute/accelerator_hours",
	    "{\"amount\":5e5,\"unit\":\"hours\"}");
	set(d, "/compute/energy", "{\"amount\":350,\"unit\":\"kWh\"}");
	expect_warning(run(d, MF_DOC_DISCLOSURE), "/compute/energy",
	               "suspicious_value");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/compute/energy", "{\"amount\":2,\"unit\":\"GWh\"}");
	expect_clean(run(d, MF_DOC_DISCLOSURE));
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/compute/energy", "{\"amount\":2000,\"unit\":\"GWh\"}");
	expect_warning(run(d, MF_DOC_DISCLOSURE), "/compute/energy",
	               "suspicious_value");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/compute/emissions", "{\"amount\":2e9,\"unit\":\"kgCO2e\"}");
	expect_warning(run(d, MF_DOC_DISCLOSURE), "/compute/emissions",
	               "suspicious_value");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/compute/duration", "{\"amount\":4000,\"unit\":\"days\"}");
	expect_warning(run(d, MF_DOC_DISCLOSURE), "/compute/duration",
	               "suspicious_value");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/compute/hardware", "{\"type\":\"GPU\",\"count\":20000000}");
	expect_warning(run(d, MF_DOC_DISCLOSURE), "/compute/hardware/count",
	               "suspicious_value");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/compute/training_flop", "{\"amount\":3e25,\"unit\":\"FLOP\"}");
	set(d, "/risks/systemic_risk", "{\"classification\":\"no\"}");
	expect_warning(run(d, MF_DOC_DISCLOSURE),
	               "/risks/systemic_risk/classification",
	               "suspicious_value");
}

static void
test_disclosure_consistency(void **state)
{
	json_t *d;

	(void)state;
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/data/synthetic", "{\"used\":false,\"share\":0.1}");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/data/synthetic/share",
	             "inconsistent");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/risks/red_teaming", "{\"performed\":false,\"external\":true}");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/risks/red_teaming/external",
	             "inconsistent");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/data/sources",
	    "[{\"name\":\"a\",\"kind\":\"web_crawl\",\"share\":0.6},"
	    "{\"name\":\"b\",\"kind\":\"licensed\",\"share\":0.4}]");
	expect_clean(run(d, MF_DOC_DISCLOSURE));
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/data/sources",
	    "[{\"name\":\"a\",\"kind\":\"web_crawl\",\"share\":0.7},"
	    "{\"name\":\"b\",\"kind\":\"licensed\",\"share\":0.4}]");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/data/sources", "share_sum");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/data/languages", "[\"en\",\"de\",\"EN\"]");
	expect_warning(run(d, MF_DOC_DISCLOSURE), "/data/languages",
	               "duplicate");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/identity/artifacts",
	    "[{\"name\":\"a\",\"digest\":\"sha256:00\"},"
	    "{\"name\":\"b\",\"digest\":\"sha256:00\"}]");
	expect_warning(run(d, MF_DOC_DISCLOSURE),
	               "/identity/artifacts/1/digest", "duplicate");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/identity/base_models",
	    "[{\"name\":\"x\",\"org\":\"acme\",\"model\":\"m1\","
	    "\"relation\":\"fine_tuned_from\"}]");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/identity/base_models/0",
	             "self_reference");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/identity/base_models",
	    "[{\"name\":\"x\",\"org\":\"other\","
	    "\"relation\":\"fine_tuned_from\"}]");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/identity/base_models/0",
	             "inconsistent");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/evaluations/results",
	    "[{\"benchmark\":\"a\",\"metric\":\"accuracy\",\"value\":0.7,"
	    "\"scale\":\"fraction\"},{\"benchmark\":\"b\",\"metric\":\"f1\","
	    "\"value\":170,\"scale\":\"percent\"}]");
	expect_error(run(d, MF_DOC_DISCLOSURE), "/evaluations/results/1/value",
	             "metric_range");
}

static void
test_disclosure_wrappers(void **state)
{
	json_t *d;

	(void)state;
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/compute", "{\"status\":\"withheld\"}");
	expect_warning(run(d, MF_DOC_DISCLOSURE), "/compute",
	               "unexplained_status");
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/compute",
	    "{\"status\":\"disclosed\",\"value\":{\"energy\":"
	    "{\"status\":\"not_applicable\"}}}");
	expect_warning(run(d, MF_DOC_DISCLOSURE), "/compute/value/energy",
	               "unexplained_status");
	/* "unknown" needs no explanation; explained statuses are clean. */
	d = base(MF_DOC_DISCLOSURE);
	set(d, "/compute", "{\"status\":\"unknown\"}");
	set(d, "/data",
	    "{\"status\":\"withheld\",\"explanation\":\"Trade "
	    "secret.\"}");
	expect_clean(run(d, MF_DOC_DISCLOSURE));
}

static void
test_eval(void **state)
{
	json_t *d;

	(void)state;
	d = base(MF_DOC_EVAL_RESULT);
	set(d, "/value", "1.2");
	expect_error(run(d, MF_DOC_EVAL_RESULT), "/value", "metric_range");
	d = base(MF_DOC_EVAL_RESULT);
	set(d, "/metric/scale", "\"percent\"");
	set(d, "/value", "101");
	expect_error(run(d, MF_DOC_EVAL_RESULT), "/value", "metric_range");
	d = base(MF_DOC_EVAL_RESULT);
	set(d, "/metric/scale", "\"percent\"");
	set(d, "/value", "0.62");
	expect_warning(run(d, MF_DOC_EVAL_RESULT), "/value",
	               "suspicious_value");
	d = base(MF_DOC_EVAL_RESULT);
	set(d, "/metric",
	    "{\"name\":\"perplexity\",\"scale\":"
	    "\"non_negative\",\"lower_is_better\":true}");
	set(d, "/value", "-3");
	expect_error(run(d, MF_DOC_EVAL_RESULT), "/value", "metric_range");
	d = base(MF_DOC_EVAL_RESULT);
	set(d, "/metric",
	    "{\"name\":\"elo\",\"scale\":\"range\","
	    "\"range\":{\"min\":0,\"max\":3000}}");
	set(d, "/value", "1288");
	expect_clean(run(d, MF_DOC_EVAL_RESULT));
	d = base(MF_DOC_EVAL_RESULT);
	set(d, "/metric",
	    "{\"name\":\"rating\",\"scale\":\"range\","
	    "\"range\":{\"min\":1,\"max\":10}}");
	set(d, "/value", "11");
	expect_error(run(d, MF_DOC_EVAL_RESULT), "/value", "metric_range");
	d = base(MF_DOC_EVAL_RESULT);
	set(d, "/metric",
	    "{\"name\":\"rating\",\"scale\":\"range\","
	    "\"range\":{\"min\":10,\"max\":1}}");
	set(d, "/value", "5");
	expect_error(run(d, MF_DOC_EVAL_RESULT), "/metric/range", "range");
	d = base(MF_DOC_EVAL_RESULT);
	set(d, "/metric/scale", "\"unbounded\"");
	expect_warning(run(d, MF_DOC_EVAL_RESULT), "/metric/scale",
	               "suspicious_value");
	d = base(MF_DOC_EVAL_RESULT);
	set(d, "/uncertainty",
	    "{\"stderr\":0.02,\"ci\":{\"level\":0.95,\"lower\":0.46,"
	    "\"upper\":0.54}}");
	expect_clean(run(d, MF_DOC_EVAL_RESULT));
	d = base(MF_DOC_EVAL_RESULT);
	set(d, "/uncertainty",
	    "{\"ci\":{\"level\":0.95,\"lower\":0.6,\"upper\":0.4}}");
	expect_error(run(d, MF_DOC_EVAL_RESULT), "/uncertainty/ci", "range");
	d = base(MF_DOC_EVAL_RESULT);
	set(d, "/uncertainty",
	    "{\"ci\":{\"level\":0.95,\"lower\":0.6,\"upper\":0.7}}");
	expect_warning(run(d, MF_DOC_EVAL_RESULT), "/uncertainty/ci",
	               "suspicious_value");
	d = base(MF_DOC_EVAL_RESULT);
	set(d, "/uncertainty",
	    "{\"ci\":{\"level\":0.95,\"lower\":0.4,\"upper\":1.3}}");
	expect_error(run(d, MF_DOC_EVAL_RESULT), "/uncertainty/ci/upper",
	             "metric_range");
	d = base(MF_DOC_EVAL_RESULT);
	set(d, "/uncertainty", "{\"stderr\":0.7}");
	expect_warning(run(d, MF_DOC_EVAL_RESULT), "/uncertainty/stderr",
	               "suspicious_value");
	d = base(MF_DOC_EVAL_RESULT);
	set(d, "/prompting", "{\"temperature\":3.5}");
	expect_warning(run(d, MF_DOC_EVAL_RESULT), "/prompting/temperature",
	               "suspicious_value");
	d = base(MF_DOC_EVAL_RESULT);
	set(d, "/evaluated_on", "\"2026-10-05\"");
	expect_error(run(d, MF_DOC_EVAL_RESULT), "/evaluated_on", "date_order");
}

static void
test_assessment(void **state)
{
	json_t *d;

	(void)state;
	d = base(MF_DOC_ASSESSMENT);
	set(d, "/scores/data-sources", "{\"score\":0}");
	expect_warning(run(d, MF_DOC_ASSESSMENT), "/scores/data-sources",
	               "unjustified_score");
	/* Pointers escape indicator ids that contain '/' or '~'. */
	d = base(MF_DOC_ASSESSMENT);
	set(d, "/scores/a~b", "{\"score\":0}");
	expect_warning(run(d, MF_DOC_ASSESSMENT), "/scores/a~0b",
	               "unjustified_score");
	d = base(MF_DOC_ASSESSMENT);
	set(d, "/assessed_on", "\"2026-10-03\"");
	expect_error(run(d, MF_DOC_ASSESSMENT), "/assessed_on", "date_order");
	d = base(MF_DOC_ASSESSMENT);
	set(d, "/assessed_on", "\"2026-09-30\"");
	expect_clean(run(d, MF_DOC_ASSESSMENT));
}

static void
test_key_events(void **state)
{
	static const char *const good[] = {
	    /* ECDSA P-256 */
	    "\"-----BEGIN PUBLIC KEY-----\\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcD"
	    "QgAE1RruBk9cBVqBzP9NJu6UhanQnbRG\\npd8Gci8IxLYX0T8MfOtKLTd/9Gui"
	    "sBauBX/cTtLuZ+644EL7X5w/6V1Ffg==\\n-----END PUBLIC KEY-----\\n\"",
	    /* OpenSSH Ed25519 */
	    "\"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGm8I4jSvu7kVtKONrg2rrNb"
	    "wzbA9JyLZsdpvARAVfna release@acme\"",
	};
	static const char *const bad[] = {
	    /* RSA 1024: too short */
	    "\"-----BEGIN PUBLIC KEY-----\\nMIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBi"
	    "QKBgQDEKgEKOCHOQtS97aPpEmxoR91d\\n8bRY4uheizZaH1TPw91Ue0GHNHL8m"
	    "WkprJ4nhIHHIu0kruQhTXGoUuCe6BolKUK0\\n+H/759dWE4ktoRwC6lXERygXx"
	    "qawn1+oh8i7eLjS14lO1wBVAb0N7Snqc/UQRSJi\\nrSgf5n8j1aGKUx5rAQIDA"
	    "QAB\\n-----END PUBLIC KEY-----\\n\"",
	    /* ECDSA P-384: wrong curve */
	    "\"-----BEGIN PUBLIC KEY-----\\nMHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEF"
	    "X2bmbFqf83ikJPN4zKGamJIXgzQu5Qr\\nPEorXjN6WJBSJ8D3lBGQNYwJf0G3N"
	    "XS91VnkxVVvr8A0eayuj/u+xx4rmb+QQ7KX\\nsEf2Ru/rGfLL89SxeDRjmhbBP"
	    "KfW6rKG\\n-----END PUBLIC KEY-----\\n\"",
	    "\"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAA==\"",
	    "\"not a key\"",
	};
	json_t *d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		d = base(MF_DOC_KEY_EVENT);
		set(d, "/key/public_key", good[i]);
		expect_clean(run(d, MF_DOC_KEY_EVENT));
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d = base(MF_DOC_KEY_EVENT);
		set(d, "/key/public_key", bad[i]);
		expect_error(run(d, MF_DOC_KEY_EVENT), "/key/public_key",
		             "bad_key");
	}
	d = base(MF_DOC_KEY_EVENT);
	set(d, "/key/keyid", "\"" ED_KEYID "\"");
	expect_clean(run(d, MF_DOC_KEY_EVENT));
	d = base(MF_DOC_KEY_EVENT);
	/* One digit off. */
	set(d, "/key/keyid",
	    "\"5eb7e75617d2704994723784d254df7d8a86c8ea2630"
	    "28c92646b52b05d1193a\"");
	expect_error(run(d, MF_DOC_KEY_EVENT), "/key/keyid", "keyid_mismatch");
	d = base(MF_DOC_KEY_EVENT);
	set(d, "/action", "\"rotate\"");
	set(d, "/replaces", "\"" ED_KEYID "\"");
	expect_error(run(d, MF_DOC_KEY_EVENT), "/replaces", "rotation");
	d = base(MF_DOC_KEY_EVENT);
	set(d, "/key/not_after", "\"2026-09-01T00:00:00Z\"");
	expect_error(run(d, MF_DOC_KEY_EVENT), "/key/not_after", "date_order");
	d = base(MF_DOC_KEY_EVENT);
	del(d, "key");
	set(d, "/action", "\"revoke\"");
	set(d, "/keyid", "\"" ED_KEYID "\"");
	set(d, "/compromised_since", "\"2026-10-02T00:00:00Z\"");
	expect_error(run(d, MF_DOC_KEY_EVENT), "/compromised_since",
	             "date_order");
}

/* The report keeps at most MF_DOC_MAX_ISSUES per list and counts the
 * rest, so hostile payloads cannot make reports grow without bound. */
static void
test_issue_limit(void **state)
{
	json_t *d = base(MF_DOC_DISCLOSURE), *list = json_array();
	size_t i;

	(void)state;
	for (i = 0; i < MF_DOC_MAX_ISSUES + 50; i++)
		json_array_append_new(list, json_string("javascript:x"));
	json_object_set_new(d, "extra", list);
	run(d, MF_DOC_DISCLOSURE);
	assert_int_equal(rep.n_errors, MF_DOC_MAX_ISSUES);
	assert_int_equal(rep.dropped, 50);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_baselines_clean),
	    cmocka_unit_test(test_url_ok),
	    cmocka_unit_test(test_strings),
	    cmocka_unit_test(test_nesting),
	    cmocka_unit_test(test_header),
	    cmocka_unit_test(test_supersedes),
	    cmocka_unit_test(test_disclosure_dates),
	    cmocka_unit_test(test_disclosure_numbers),
	    cmocka_unit_test(test_disclosure_consistency),
	    cmocka_unit_test(test_disclosure_wrappers),
	    cmocka_unit_test(test_eval),
	    cmocka_unit_test(test_assessment),
	    cmocka_unit_test(test_key_events),
	    cmocka_unit_test(test_issue_limit),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
