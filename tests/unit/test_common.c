/* Unit tests for common/: buffers, base64/hex, JSON decoding, pointers,
 * RFC 3339 times, slugs and the error table. */
#include "common/buf.h"
#include "common/diag.h"
#include "common/digest.h"
#include "common/encoding.h"
#include "common/error.h"
#include "common/json.h"
#include "common/slug.h"
#include "common/timeutil.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static void
test_buf_limits(void **state)
{
	struct mf_buf b;

	(void)state;
	mf_buf_init(&b, 8);
	assert_int_equal(mf_buf_puts(&b, "12345"), 0);
	assert_int_equal(mf_buf_printf(&b, "%d", 678), 0);
	assert_string_equal(b.data, "12345678");
	assert_int_equal(mf_buf_putc(&b, '9'), MF_E_TOO_LARGE);
	assert_int_equal(b.len, 8);
	mf_buf_dispose(&b);
}

static void
test_base64_roundtrip(void **state)
{
	static const char *const vec[][2] = {
	    {"", ""},
	    {"f", "Zg=="},
	    {"fo", "Zm8="},
	    {"foo", "Zm9v"},
	    {"foob", "Zm9vYg=="},
	    {"fooba", "Zm9vYmE="},
	    {"foobar", "Zm9vYmFy"},
	};
	char out[32];
	uint8_t *dec;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		mf_base64_encode(out, (const uint8_t *)vec[i][0],
		                 strlen(vec[i][0]));
		assert_string_equal(out, vec[i][1]);
		assert_int_equal(
		    mf_base64_decode(&dec, &n, vec[i][1], strlen(vec[i][1])),
		    0);
		assert_int_equal(n, strlen(vec[i][0]));
		assert_memory_equal(dec, vec[i][0], n);
		free(dec);
	}
}

static void
test_base64_alphabets_and_errors(void **state)
{
	uint8_t *dec;
	size_t n;

	(void)state;
	/* 0xfb 0xff: "+/8=" standard, "-_8" URL-safe unpadded */
	assert_int_equal(mf_base64_decode(&dec, &n, "+/8=", 4), 0);
	assert_int_equal(n, 2);
	assert_int_equal(dec[0], 0xfb);
	free(dec);
	assert_int_equal(mf_base64_decode(&dec, &n, "-_8", 3), 0);
	assert_int_equal(dec[1], 0xff);
	free(dec);
	assert_int_equal(mf_base64_decode(&dec, &n, "Zm9v YmFy", 9),
	                 MF_E_BAD_BASE64);
	assert_int_equal(mf_base64_decode(&dec, &n, "Zg=", 3), MF_E_BAD_BASE64);
	assert_int_equal(mf_base64_decode(&dec, &n, "Zh==", 4),
	                 MF_E_BAD_BASE64); /* non-zero trailing bits */
	assert_int_equal(mf_base64_decode(&dec, &n, "Z", 1), MF_E_BAD_BASE64);
	assert_int_equal(mf_base64_decode(&dec, &n, "Zg===", 5),
	                 MF_E_BAD_BASE64);
}

static void
test_hex_and_sha256(void **state)
{
	char hex[MF_SHA256_HEX_LEN + 1];
	uint8_t raw[2];

	(void)state;
	mf_sha256_hex(hex, "abc", 3);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
	                         "b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(mf_hex_decode(raw, 2, "0aFf"), 0);
	assert_int_equal(raw[0], 0x0a);
	assert_int_equal(raw[1], 0xff);
	assert_int_equal(mf_hex_decode(raw, 2, "0aF"), -1);
	assert_int_equal(mf_hex_decode(raw, 2, "0aFg"), -1);
}

static void
test_json_strict(void **state)
{
	struct mf_error err;
	json_t *v;

	(void)state;
	mf_error_init(&err);
	v = mf_json_parse("{\"a\":1,\"a\":2}", 13, "doc", "", &err);
	assert_null(v);
	assert_int_equal(err.code, MF_E_DUPLICATE_KEY);
	mf_error_dispose(&err);
	v = mf_json_parse("\"\xff\"", 3, "doc", "", &err);
	assert_null(v);
	assert_int_equal(err.code, MF_E_BAD_UTF8);
	mf_error_dispose(&err);
	v = mf_json_parse("{\"a\":", 5, "doc", "", &err);
	assert_null(v);
	assert_int_equal(err.code, MF_E_BAD_JSON);
	mf_error_dispose(&err);
	v = mf_json_parse("{\"a\":[1,{\"b/c\":{\"~\":7}}]}", 25, "doc", "",
	                  &err);
	assert_non_null(v);
	assert_int_equal(
	    json_integer_value(mf_json_pointer_get(v, "/a/1/b~1c/~0")), 7);
	assert_null(mf_json_pointer_get(v, "/a/01"));
	assert_null(mf_json_pointer_get(v, "/a/2"));
	assert_ptr_equal(mf_json_pointer_get(v, ""), v);
	json_decref(v);
}

static void
test_json_pointer_push(void **state)
{
	struct mf_buf b = MF_BUF_INIT;

	(void)state;
	assert_int_equal(mf_json_pointer_push(&b, "a/b~c"), 0);
	assert_int_equal(mf_json_pointer_push_index(&b, 3), 0);
	assert_string_equal(b.data, "/a~1b~0c/3");
	mf_buf_dispose(&b);
}

static void
test_rfc3339(void **state)
{
	int64_t us, days;

	(void)state;
	assert_int_equal(mf_time_parse_rfc3339("1970-01-01T00:00:00Z", &us), 0);
	assert_int_equal(us, 0);
	assert_int_equal(
	    mf_time_parse_rfc3339("2025-06-01T02:00:00.5+02:00", &us), 0);
	assert_int_equal(us, (int64_t)1748736000 * 1000000 + 500000);
	assert_int_equal(mf_time_parse_rfc3339("1998-12-31T23:59:60Z", &us), 0);
	assert_int_equal(mf_time_parse_rfc3339("1998-12-31T23:58:60Z", &us),
	                 -1);
	assert_int_equal(mf_time_parse_rfc3339("2023-02-29T00:00:00Z", &us),
	                 -1);
	assert_int_equal(mf_time_parse_rfc3339("2024-02-29T00:00:00Z", &us), 0);
	assert_int_equal(mf_time_parse_rfc3339("2024-01-01 00:00:00Z", &us),
	                 -1);
	assert_int_equal(mf_time_parse_rfc3339("2024-01-01T00:00:00", &us), -1);
	assert_int_equal(mf_time_parse_date("2000-03-01", &days), 0);
	assert_int_equal(days, 11017);
	assert_int_equal(mf_time_parse_date("2000-13-01", &days), -1);
}

static void
test_slugs(void **state)
{
	char longest[64];

	(void)state;
	assert_true(mf_slug_valid("meta"));
	assert_true(mf_slug_valid("llama-3-70b"));
	assert_true(mf_slug_valid("0"));
	assert_false(mf_slug_valid(""));
	assert_false(mf_slug_valid("-x"));
	assert_false(mf_slug_valid("Meta"));
	assert_false(mf_slug_valid("a/b"));
	assert_false(mf_slug_valid(".."));
	memset(longest, 'a', 63);
	longest[63] = '\0';
	assert_true(mf_slug_valid(longest));
	longest[62] = '\0';
	assert_true(mf_slug_valid(longest));
}

static void
test_error_table(void **state)
{
	struct mf_error err;
	json_t *j;

	(void)state;
	mf_error_init(&err);
	assert_int_equal(mf_error_status(MF_E_TOO_LARGE), 413);
	assert_string_equal(mf_error_name(MF_E_STALE_SUPERSEDES),
	                    "stale_supersedes");
	mf_error_set(&err, MF_E_VALIDATION, "/subject/org", "bad %s", "slug");
	mf_error_set(&err, MF_E_INTERNAL, NULL, "not recorded");
	assert_int_equal(err.code, MF_E_VALIDATION);
	j = mf_error_json(&err);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(
	            json_object_get(json_object_get(j, "error"), "details"), 0),
	        "pointer")),
	    "/subject/org");
	json_decref(j);
	mf_error_dispose(&err);
}

/* Issue 15 finding 4: a log line cannot be split or carry escapes. */
static void
test_diag_escape(void **state)
{
	static const char in[] = "a\nb\r\x1b[31m\\n\x7f\x01\x00z"
	                         "\xc3\xa9\xc2\x9b\xc2\xa0\xff\xe2\x80";
	char out[256], tiny[8], line[4096], tmpl[] = "/tmp/mf-diag-XXXXXX";
	const char *msg;
	size_t n;
	int fd, saved;
	ssize_t got;

	(void)state;
	n = mf_diag_escape(out, sizeof(out), in, sizeof(in) - 1);
	assert_string_equal(out, "a\\nb\\x0d\\x1b[31m\\\\n\\x7f\\x01\\x00z"
	                         "\xc3\xa9\\xc2\\x9b\xc2\xa0\\xff\\xe2"
	                         "\\x80");
	assert_int_equal(n, strlen(out));
	/* an escape is written whole or not at all */
	n = mf_diag_escape(tiny, 6, "ab\x1b", 3);
	assert_string_equal(tiny, "ab");
	assert_int_equal(n, 2);
	n = mf_diag_escape(tiny, 1, "ab", 2);
	assert_int_equal(n, 0);
	assert_string_equal(tiny, "");
	/* overlong forms, surrogates and past U+10FFFF are not UTF-8 */
	n = mf_diag_escape(out, sizeof(out),
	                   "\xe0\x80\xae\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80"
	                   "\xf0\x9f\x98\x80",
	                   16);
	assert_string_equal(out, "\\xe0\\x80\\xae\\xc0\\xaf\\xed\\xa0\\x80"
	                         "\\xf4\\x90\\x80\\x80\xf0\x9f\x98\x80");
	assert_int_equal(
	    mf_utf8_char_len((const unsigned char *)"\xe0\xa0\x80", 3), 3);
	assert_int_equal(
	    mf_utf8_char_len((const unsigned char *)"\xe0\x9f\xbf", 3), 0);

	/* through the writer itself: one line, nothing raw */
	fd = mkstemp(tmpl);
	assert_true(fd >= 0);
	unlink(tmpl);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	mf_diag(MF_DIAG_ERROR, "r1", "GET \"%s\" %d",
	        "/x\n2026-01-01T00:00:00.000Z info forged\x1b]0;t\x07", 404);
	mf_diag(MF_DIAG_ERROR, NULL, "server closed the connection\n\n");
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	got = pread(fd, line, sizeof(line) - 1, 0);
	close(fd);
	assert_true(got > 0);
	line[got] = '\0';
	assert_null(strchr(line, '\x1b'));
	assert_null(strchr(line, '\x07'));
	msg = strstr(line, " error req=r1 ");
	assert_non_null(msg);
	/* two lines, the first of them whole */
	assert_ptr_equal(strchr(msg, '\n'), strstr(msg, "404") + 3);
	assert_memory_equal(msg,
	                    " error req=r1 GET \"/x\\n2026-01-01T00:00:00"
	                    ".000Z info forged\\x1b]0;t\\x07\" 404\n",
	                    77);
	/* the second without its trailing newlines escaped */
	msg = strstr(line, " error server closed");
	assert_non_null(msg);
	assert_string_equal(msg, " error server closed the connection\n");
}

/*
 * --log-format json (issue 16): the escaper keeps a line valid JSON
 * whatever it holds, and the writer's lines parse back (jansson refuses
 * invalid UTF-8) with the request id lifted from a "req=ID " prefix.
 */
static void
test_diag_json(void **state)
{
	static const char in[] =
	    "a\"b\\c\n\r\x1b\x7f\xc3\xa9\xc2\x9b\xff\xe2\x80";
	char out[256], tiny[8], tmpl[] = "/tmp/mf-diag-XXXXXX", buf[4096];
	struct mf_diag_access a = {"r2",       "10.0.0.1",   "GET",
	                           "/p\n\xff", "/v1/x/{id}", 404,
	                           12,         1234,         false};
	json_error_t jerr;
	json_t *j;
	char *line, *next;
	int fd, saved, n = 0;
	ssize_t got;

	(void)state;
	mf_diag_json_escape(out, sizeof(out), in, sizeof(in) - 1);
	assert_string_equal(out, "a\\\"b\\\\c\\n\\u000d\\u001b\\u007f\xc3\xa9"
	                         "\\u009b\\\\xff\\\\xe2\\\\x80");
	/* whole escapes or none */
	assert_int_equal(mf_diag_json_escape(tiny, 8, "ab\x1b", 3), 2);
	assert_string_equal(tiny, "ab");

	fd = mkstemp(tmpl);
	assert_true(fd >= 0);
	unlink(tmpl);
	saved = dup(STDERR_FILENO);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	mf_diag_set_format(MF_DIAG_JSON);
	mf_diag(MF_DIAG_WARN, NULL, "req=abc-1 GET \"%s\" %d", "/x\n{\x1b\xff",
	        500);
	mf_diag(MF_DIAG_ERROR, "r1", "plain");
	mf_diag_access(&a);
	mf_diag_set_format(MF_DIAG_TEXT);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	got = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	assert_true(got > 0);
	buf[got] = '\0';
	assert_null(strchr(buf, '\x1b'));
	for (line = buf; *line; line = next, n++) {
		next = strchr(line, '\n');
		assert_non_null(next);
		*next++ = '\0';
		j = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
		if (j == NULL)
			fail_msg("not JSON: %s (%s)", line, jerr.text);
		assert_non_null(json_object_get(j, "time"));
		if (n == 0) {
			assert_string_equal(
			    json_string_value(json_object_get(j, "request_id")),
			    "abc-1");
			assert_string_equal(
			    json_string_value(json_object_get(j, "msg")),
			    "GET \"/x\n{\x1b\\xff\" 500");
			assert_string_equal(
			    json_string_value(json_object_get(j, "level")),
			    "warn");
		} else if (n == 1) {
			assert_string_equal(
			    json_string_value(json_object_get(j, "request_id")),
			    "r1");
		} else {
			assert_string_equal(
			    json_string_value(json_object_get(j, "path")),
			    "/p\n\\xff");
			assert_string_equal(
			    json_string_value(json_object_get(j, "route")),
			    "/v1/x/{id}");
			assert_int_equal(
			    json_integer_value(json_object_get(j, "status")),
			    404);
			assert_true(json_real_value(json_object_get(
			                j, "duration_ms")) == 1.234);
		}
		json_decref(j);
	}
	assert_int_equal(n, 3);
}

/*
 * An error message that quotes input which is not UTF-8 (a request path
 * with %FF), or is cut inside a character, still makes an error body:
 * before, mf_error_json gave NULL and a 404 became a 500 (found by
 * tests/fuzz/fuzz_http.c).
 */
static void
test_error_not_utf8(void **state)
{
	struct mf_error err;
	char *s, longpath[3 * MF_ERROR_MESSAGE_MAX];
	json_t *j;
	size_t i;

	(void)state;
	mf_error_init(&err);
	mf_error_set(&err, MF_E_NOT_FOUND, "/p\xc3", "no such resource: %s",
	             "/v1/\xff\xfe/x");
	j = mf_error_json(&err);
	assert_non_null(j);
	s = mf_json_dump(j);
	assert_non_null(strstr(s, "no such resource: /v1/?\?/x"));
	free(s);
	json_decref(j);
	mf_error_dispose(&err);
	/* a message cut inside a two-byte character */
	for (i = 0; i + 2 < sizeof(longpath); i += 2)
		memcpy(longpath + i, "\xc3\xa9", 2);
	longpath[i] = '\0';
	for (i = 0; i < 2; i++) {
		mf_error_init(&err);
		mf_error_set(&err, MF_E_NOT_FOUND, NULL, "%.*s", (int)(510 + i),
		             longpath);
		j = mf_error_json(&err);
		assert_non_null(j);
		json_decref(j);
		mf_error_dispose(&err);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_buf_limits),
	    cmocka_unit_test(test_base64_roundtrip),
	    cmocka_unit_test(test_base64_alphabets_and_errors),
	    cmocka_unit_test(test_hex_and_sha256),
	    cmocka_unit_test(test_json_strict),
	    cmocka_unit_test(test_json_pointer_push),
	    cmocka_unit_test(test_rfc3339),
	    cmocka_unit_test(test_slugs),
	    cmocka_unit_test(test_error_table),
	    cmocka_unit_test(test_diag_escape),
	    cmocka_unit_test(test_diag_json),
	    cmocka_unit_test(test_error_not_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
