/* Unit tests for format negotiation and the export writers' pieces:
 * format= against Accept, CSV quoting (RFC 4180), JSON strings. */
#include "api/export.h"
#include "api/util.h"
#include "common/buf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static int
choose(const char *format, const char *accept, unsigned offered,
       enum mf_format def, enum mf_format *out)
{
	struct mf_error err;
	int rc;

	mf_error_init(&err);
	rc = mf_format_choose(format, accept, offered, def, out, &err);
	mf_error_dispose(&err);
	return rc;
}

static void
test_parameter_wins(void **state)
{
	enum mf_format f;

	(void)state;
	assert_int_equal(choose("csv", "application/json", MF_FORMATS_ALL,
	                        MF_FORMAT_JSON, &f),
	                 0);
	assert_int_equal(f, MF_FORMAT_CSV);
	assert_int_equal(
	    choose("json", "text/csv", MF_FORMATS_ALL, MF_FORMAT_CSV, &f), 0);
	assert_int_equal(f, MF_FORMAT_JSON);
	assert_int_equal(
	    choose("jsonl", NULL, MF_FORMATS_ALL, MF_FORMAT_JSON, &f), 0);
	assert_int_equal(f, MF_FORMAT_JSONL);
	/* unknown, or not offered here: 400 */
	assert_int_equal(
	    choose("xml", NULL, MF_FORMATS_ALL, MF_FORMAT_JSON, &f),
	    MF_E_BAD_PARAM);
	assert_int_equal(
	    choose("CSV", NULL, MF_FORMATS_ALL, MF_FORMAT_JSON, &f),
	    MF_E_BAD_PARAM);
	assert_int_equal(choose("csv", NULL, MF_FORMAT_BIT(MF_FORMAT_JSON),
	                        MF_FORMAT_JSON, &f),
	                 MF_E_BAD_PARAM);
}

static void
test_accept(void **state)
{
	static const struct {
		const char *accept;
		enum mf_format def;
		int want; /* -1: 406 */
	} cases[] = {
	    {NULL, MF_FORMAT_JSON, MF_FORMAT_JSON},
	    {"", MF_FORMAT_CSV, MF_FORMAT_CSV},
	    {"*/*", MF_FORMAT_CSV, MF_FORMAT_CSV},
	    {"text/csv", MF_FORMAT_JSON, MF_FORMAT_CSV},
	    {"TEXT/CSV; charset=utf-8", MF_FORMAT_JSON, MF_FORMAT_CSV},
	    {"application/x-ndjson", MF_FORMAT_JSON, MF_FORMAT_JSONL},
	    {"application/jsonl", MF_FORMAT_JSON, MF_FORMAT_JSONL},
	    {"application/json;q=0.5, text/csv", MF_FORMAT_JSON, MF_FORMAT_CSV},
	    {"text/csv;q=0.2, application/json;q=0.9", MF_FORMAT_CSV,
	     MF_FORMAT_JSON},
	    {"text/html, */*;q=0.1", MF_FORMAT_JSON, MF_FORMAT_JSON},
	    {"text/html,application/xhtml+xml,*/*;q=0.8", MF_FORMAT_CSV,
	     MF_FORMAT_CSV},
	    {"text/*", MF_FORMAT_JSON, MF_FORMAT_CSV},
	    {"application/*", MF_FORMAT_CSV, MF_FORMAT_JSON},
	    {"text/csv;q=0", MF_FORMAT_JSON, -1},
	    {"text/html", MF_FORMAT_JSON, -1},
	    {"image/png, text/plain", MF_FORMAT_CSV, -1},
	};
	enum mf_format f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = choose(NULL, cases[i].accept, MF_FORMATS_ALL,
		                cases[i].def, &f);

		if (cases[i].want < 0) {
			assert_int_equal(rc, MF_E_NOT_ACCEPTABLE);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal((int)f, cases[i].want);
	}
}

static void
csv_is(const char *in, const char *want)
{
	struct mf_buf b = MF_BUF_INIT;

	assert_int_equal(mf_export_csv_field(&b, in, strlen(in)), 0);
	assert_int_equal(b.len, strlen(want));
	assert_memory_equal(b.data ? b.data : "", want, b.len);
	mf_buf_dispose(&b);
}

static void
test_csv_quoting(void **state)
{
	(void)state;
	csv_is("plain", "plain");
	csv_is("", "");
	csv_is("a,b", "\"a,b\"");
	csv_is("say \"hi\"", "\"say \"\"hi\"\"\"");
	csv_is("two\nlines", "\"two\nlines\"");
	csv_is("cr\r", "\"cr\r\"");
	csv_is("\"", "\"\"\"\"");
	csv_is("ünïcode; tab\t", "ünïcode; tab\t");
}

static void
test_json_strings(void **state)
{
	const char *in = "a\"b\\c\n\x01 é";
	struct mf_buf b = MF_BUF_INIT, back = MF_BUF_INIT;

	(void)state;
	assert_int_equal(mf_export_json_string(&b, in, strlen(in)), 0);
	assert_int_equal(mf_buf_putc(&b, '\0'), 0);
	assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\u0001 é\"");
	assert_int_equal(mf_export_json_unescape(&back, b.data, strlen(b.data)),
	                 0);
	assert_int_equal(back.len, strlen(in));
	assert_memory_equal(back.data, in, back.len);
	mf_buf_clear(&back);
	/* \u escapes, a surrogate pair */
	assert_int_equal(
	    mf_export_json_unescape(&back, "\"\\u00e9\\ud83d\\ude00\\/\"", 22),
	    0);
	assert_int_equal(back.len, 2 + 4 + 1);
	assert_memory_equal(back.data, "\xc3\xa9\xf0\x9f\x98\x80/", back.len);
	assert_int_equal(mf_export_json_unescape(&back, "nope", 4),
	                 MF_E_BAD_JSON);
	mf_buf_dispose(&b);
	mf_buf_dispose(&back);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parameter_wins),
	    cmocka_unit_test(test_accept),
	    cmocka_unit_test(test_csv_quoting),
	    cmocka_unit_test(test_json_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
