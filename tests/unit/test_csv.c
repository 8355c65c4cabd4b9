/* Unit tests for importers/csv: RFC 4180 quoting, line endings, BOM,
 * limits, precise errors, and every CSV file of the FMTI data set. */
#include "importers/csv.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

static struct mf_csv *
parse_ok(const char *text)
{
	struct mf_csv *csv = NULL;
	struct mf_error err;

	mf_error_init(&err);
	if (mf_csv_parse(&csv, text, strlen(text), NULL, &err) != 0)
		fail_msg("unexpected CSV error: %s", err.message);
	mf_error_dispose(&err);
	return csv;
}

/* Parses text expecting failure with code; returns the message. */
static void
parse_fail(const char *text, size_t len, const struct mf_csv_limits *lim,
           int code, const char *msg_part)
{
	struct mf_csv *csv = NULL;
	struct mf_error err;

	mf_error_init(&err);
	assert_int_equal(mf_csv_parse(&csv, text, len, lim, &err), code);
	assert_null(csv);
	assert_int_equal(err.code, code);
	if (strstr(err.message, msg_part) == NULL)
		fail_msg("message '%s' lacks '%s'", err.message, msg_part);
	mf_error_dispose(&err);
}

static void
test_simple_and_line_endings(void **state)
{
	struct mf_csv *csv;

	(void)state;
	csv = parse_ok("a,b,c\r\n1,2,3\n4,,6\r7,8,9");
	assert_int_equal(csv->n_records, 4);
	assert_string_equal(mf_csv_field(csv, 0, 2), "c");
	assert_string_equal(mf_csv_field(csv, 1, 1), "2");
	assert_string_equal(mf_csv_field(csv, 2, 1), "");
	assert_string_equal(mf_csv_field(csv, 3, 2), "9");
	assert_int_equal(csv->records[3].line, 4);
	assert_null(mf_csv_field(csv, 3, 3));
	assert_null(mf_csv_field(csv, 4, 0));
	assert_false(csv->had_bom);
	mf_csv_free(csv);

	/* A final line break does not make an empty record; empty lines
	 * between records are skipped but still counted. */
	csv = parse_ok("x\r\n\r\n\ny\r\n");
	assert_int_equal(csv->n_records, 2);
	assert_string_equal(mf_csv_field(csv, 1, 0), "y");
	assert_int_equal(csv->records[1].line, 4);
	mf_csv_free(csv);

	csv = parse_ok("");
	assert_int_equal(csv->n_records, 0);
	mf_csv_free(csv);

	/* Trailing empty fields are kept. */
	csv = parse_ok("a,,\n");
	assert_int_equal(csv->records[0].n_fields, 3);
	mf_csv_free(csv);
}

static void
test_quoting(void **state)
{
	struct mf_csv *csv;

	(void)state;
	csv = parse_ok("\"a,b\",\"say \"\"hi\"\"\",\"\"\r\n"
	               "\"multi\r\nline\nand\rmore\",x\n"
	               "\"\"\"\",\"end\"");
	assert_int_equal(csv->n_records, 3);
	assert_string_equal(mf_csv_field(csv, 0, 0), "a,b");
	assert_string_equal(mf_csv_field(csv, 0, 1), "say \"hi\"");
	assert_string_equal(mf_csv_field(csv, 0, 2), "");
	/* Line breaks inside quotes are kept byte for byte. */
	assert_string_equal(mf_csv_field(csv, 1, 0),
	                    "multi\r\nline\nand\rmore");
	assert_string_equal(mf_csv_field(csv, 1, 1), "x");
	assert_int_equal(csv->records[1].line, 2);
	/* The multi-line cell spans lines 2-5 (CRLF, LF and CR each end a
	 * line), so the next record starts on line 6. */
	assert_int_equal(csv->records[2].line, 6);
	assert_string_equal(mf_csv_field(csv, 2, 0), "\"");
	assert_string_equal(mf_csv_field(csv, 2, 1), "end");
	mf_csv_free(csv);

	/* Curly quotes and other UTF-8 are plain data. */
	csv = parse_ok("\xe2\x80\x9chi\xe2\x80\x9d,caf\xc3\xa9\n");
	assert_string_equal(mf_csv_field(csv, 0, 1), "caf\xc3\xa9");
	mf_csv_free(csv);
}

static void
test_bom(void **state)
{
	struct mf_csv *csv;

	(void)state;
	csv = parse_ok("\xef\xbb\xbf"
	               "Domain,Name\r\nx,y");
	assert_true(csv->had_bom);
	assert_string_equal(mf_csv_field(csv, 0, 0), "Domain");
	mf_csv_free(csv);
	/* A BOM anywhere else is data (U+FEFF), not stripped. */
	csv = parse_ok("a,\xef\xbb\xbf"
	               "b\n");
	assert_string_equal(mf_csv_field(csv, 0, 1), "\xef\xbb\xbf"
	                                             "b");
	mf_csv_free(csv);
}

static void
test_errors(void **state)
{
	struct mf_csv_limits lim;

	(void)state;
	parse_fail("a,b\nc,d\"e\n", 10, NULL, MF_E_BAD_REQUEST,
	           "line 2, column 4: quote inside an unquoted field");
	parse_fail("a\n\"ab\"c,d\n", 10, NULL, MF_E_BAD_REQUEST,
	           "line 2, column 5: unexpected character after a closing");
	parse_fail("a,b\n\"open\nstill open", 20, NULL, MF_E_BAD_REQUEST,
	           "unterminated quoted field (opened on line 2, column 1)");
	parse_fail("ok\n\xc3\xa9\xff,x\n", 8, NULL, MF_E_BAD_UTF8,
	           "line 2, column 2: invalid UTF-8");
	/* Overlong encoding of '/' and a UTF-16 surrogate. */
	parse_fail("\xc0\xaf", 2, NULL, MF_E_BAD_UTF8, "invalid UTF-8");
	parse_fail("\xed\xa0\x80", 3, NULL, MF_E_BAD_UTF8, "invalid UTF-8");
	parse_fail("a,\0b", 4, NULL, MF_E_BAD_REQUEST, "NUL byte");

	memset(&lim, 0, sizeof(lim));
	lim.max_field = 4;
	parse_fail("abcd,abcde\n", 11, &lim, MF_E_TOO_LARGE, "field too long");
	memset(&lim, 0, sizeof(lim));
	lim.max_fields = 2;
	parse_fail("a,b\na,b,c\n", 10, &lim, MF_E_TOO_LARGE,
	           "line 2, column 5: too many fields");
	memset(&lim, 0, sizeof(lim));
	lim.max_records = 2;
	parse_fail("a\nb\nc\n", 6, &lim, MF_E_TOO_LARGE, "too many records");
	memset(&lim, 0, sizeof(lim));
	lim.max_input = 3;
	parse_fail("abcd", 4, &lim, MF_E_TOO_LARGE, "exceeds the limit");
}

static void
test_read_file(void **state)
{
	char path[] = "/tmp/mf_test_csv_XXXXXX";
	struct mf_csv *csv = NULL;
	struct mf_error err;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_non_null(f);
	fputs("h1,h2\r\n\"v\"\"1\",v2", f);
	fclose(f);
	mf_error_init(&err);
	assert_int_equal(mf_csv_read_file(&csv, path, NULL, &err), 0);
	assert_string_equal(mf_csv_field(csv, 1, 0), "v\"1");
	mf_csv_free(csv);
	remove(path);
	assert_int_equal(mf_csv_read_file(&csv, path, NULL, &err), MF_E_IO);
	assert_non_null(strstr(err.message, path));
	mf_error_dispose(&err);
	mf_csv_free(NULL);
}

static const char *
shared_data(char *buf, size_t n)
{
	const char *env = getenv("MF_SHARED_DATA");
	struct stat st;

	snprintf(buf, n, "%s", env != NULL && *env ? env : "../shared/data");
	return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? buf : NULL;
}

/* Every FMTI CSV parses, each file is rectangular, and the row counts
 * are those the data set's README documents. */
static void
check_fmti_file(const char *path, size_t want_records)
{
	struct mf_csv *csv = NULL;
	struct mf_error err;
	size_t i;

	mf_error_init(&err);
	if (mf_csv_read_file(&csv, path, NULL, &err) != 0)
		fail_msg("%s", err.message);
	for (i = 0; i < csv->n_records; i++)
		if (csv->records[i].n_fields != csv->records[0].n_fields)
			fail_msg("%s: record %zu (line %zu) has %zu fields, "
			         "header %zu",
			         path, i, csv->records[i].line,
			         csv->records[i].n_fields,
			         csv->records[0].n_fields);
	if (want_records != 0 && csv->n_records != want_records)
		fail_msg("%s: %zu records, want %zu", path, csv->n_records,
		         want_records);
	mf_csv_free(csv);
	mf_error_dispose(&err);
}

static void
check_dir(const char *dir, size_t want_records, size_t *count)
{
	char path[4096];
	struct dirent *de;
	DIR *d = opendir(dir);

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		if (n < 4 || strcmp(de->d_name + n - 4, ".csv") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		check_fmti_file(path, want_records);
		(*count)++;
	}
	closedir(d);
}

static void
test_fmti_files(void **state)
{
	static const struct {
		const char *file;
		size_t records; /* header included */
	} files[] = {
	    {"v1.0/fmti-indicators.csv", 101},
	    {"v1.0/October2023_scores.csv", 102},
	    {"v1.0/fmti-keywords.csv", 101},
	    {"v1.0/October2023_justifications.csv", 1001},
	    {"v1.1/May2024_scores.csv", 102},
	    {"v1.1/May2024_disclosures.csv", 101},
	    {"v2025/Dec2025_indicators.csv", 101},
	    {"v2025/Dec2025_scores.csv", 101},
	    {"derived/v1_indicator_name_crosswalk.csv", 101},
	};
	char base[2048], path[4096];
	size_t i, count = 0;

	(void)state;
	if (shared_data(base, sizeof(base)) == NULL) {
		printf("shared data absent (set MF_SHARED_DATA): skipped\n");
		skip();
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/fmti/%s", base, files[i].file);
		check_fmti_file(path, files[i].records);
	}
	snprintf(path, sizeof(path), "%s/fmti/v1.1/reports", base);
	check_dir(path, 101, &count);
	snprintf(path, sizeof(path), "%s/fmti/v2025/reports", base);
	check_dir(path, 101, &count);
	assert_int_equal(count, 14 + 13);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_simple_and_line_endings),
	    cmocka_unit_test(test_quoting),
	    cmocka_unit_test(test_bom),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_read_file),
	    cmocka_unit_test(test_fmti_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
