/* Unit tests for labels/diff: JSON pointers of changes, and unified text
 * diffs compared with GNU diff -u on generated texts. */
#include "labels/diff.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void
test_json_changes(void **state)
{
	json_t *a = json_loads("{\"x\":1,\"o\":{\"k\":\"v\",\"gone\":true},"
	                       "\"arr\":[1,2,3],\"a/b\":0}",
	                       0, NULL);
	json_t *b = json_loads("{\"x\":2,\"o\":{\"k\":\"v\",\"new\":null},"
	                       "\"arr\":[1,5],\"a/b\":0}",
	                       0, NULL);
	json_t *d = NULL;
	char *s;

	(void)state;
	assert_int_equal(mf_diff_json(&d, a, b), 0);
	s = json_dumps(d, JSON_COMPACT);
	assert_string_equal(
	    s, "[{\"pointer\":\"/arr/1\",\"op\":\"changed\",\"from\":2,"
	       "\"to\":5},{\"pointer\":\"/arr/2\",\"op\":\"removed\","
	       "\"from\":3},{\"pointer\":\"/o/gone\",\"op\":\"removed\","
	       "\"from\":true},{\"pointer\":\"/o/new\",\"op\":\"added\","
	       "\"to\":null},{\"pointer\":\"/x\",\"op\":\"changed\","
	       "\"from\":1,\"to\":2}]");
	free(s);
	json_decref(d);
	assert_int_equal(mf_diff_json(&d, a, a), 0);
	assert_int_equal(json_array_size(d), 0);
	json_decref(d);
	json_decref(a);
	json_decref(b);
}

/* Our diff of two texts must equal GNU diff -u's, headers aside. */
static void
compare_with_gnu(const char *a, const char *b)
{
	struct mf_buf ours = MF_BUF_INIT;
	char gnu[65536], cmd[512];
	size_t n;
	FILE *f, *p;

	system("mkdir -p build/tmp");
	f = fopen("build/tmp/diff_a", "w");
	fputs(a, f);
	fclose(f);
	f = fopen("build/tmp/diff_b", "w");
	fputs(b, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
	         "diff -u --label A --label B build/tmp/diff_a "
	         "build/tmp/diff_b");
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(gnu, 1, sizeof(gnu) - 1, p);
	gnu[n] = '\0';
	pclose(p);
	assert_int_equal(mf_diff_text(&ours, a, b, "A", "B"), 0);
	assert_string_equal(ours.data ? ours.data : "", gnu);
	mf_buf_dispose(&ours);
}

static void
test_text_like_gnu_diff(void **state)
{
	char a[8192], b[8192];
	size_t la, lb;
	int i, round;

	(void)state;
	compare_with_gnu("a\nb\nc\n", "a\nb\nc\n");
	compare_with_gnu("a\nb\nc\n", "a\nx\nc\n");
	compare_with_gnu("", "new\n");
	compare_with_gnu("old\n", "");
	/* pseudo-random edits of a 60-line text */
	srand(7);
	for (round = 0; round < 40; round++) {
		la = lb = 0;
		for (i = 0; i < 60; i++) {
			int r = rand() % 10;

			if (r != 0)
				la += (size_t)sprintf(a + la, "line %d\n", i);
			if (r != 1)
				lb += (size_t)sprintf(b + lb, "line %d%s\n", i,
				                      r == 2 ? " changed" : "");
			if (r == 3)
				lb +=
				    (size_t)sprintf(b + lb, "inserted %d\n", i);
		}
		compare_with_gnu(a, b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_changes),
	    cmocka_unit_test(test_text_like_gnu_diff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
