/* Unit tests for the CLI's tables (common/table.c): alignment, nested
 * paths, missing values, long cells, and a compare answer printed with
 * columns found in the data (a stub of GET /v1/compare). */
#include "common/table.h"
#include "common/buf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static void
render_is(const char *rows_json, const struct mf_table_column *cols,
          size_t ncols, const char *want)
{
	json_t *rows = json_loads(rows_json, 0, NULL);
	struct mf_buf b = MF_BUF_INIT;

	assert_non_null(rows);
	assert_int_equal(cols ? mf_table_render(&b, rows, cols, ncols)
	                      : mf_table_render_auto(&b, rows),
	                 0);
	assert_int_equal(mf_buf_putc(&b, '\0'), 0);
	assert_string_equal(b.data, want);
	mf_buf_dispose(&b);
	json_decref(rows);
}

static void
test_models_table(void **state)
{
	static const struct mf_table_column cols[] = {
	    {"org", "org"},
	    {"model", "model"},
	    {"score", "score.total"},
	    {"released", "release_date"},
	};

	(void)state;
	render_is(
	    "[{\"org\": \"ibm\", \"model\": \"granite-3-0\","
	    "  \"score\": {\"total\": 95}, \"release_date\": null},"
	    " {\"org\": \"meta\", \"model\": \"llama-2\","
	    "  \"score\": {\"total\": 7}, \"release_date\": \"2023-07-18\"}]",
	    cols, 4,
	    "org   model        score  released\n"
	    "----  -----------  -----  ----------\n"
	    "ibm   granite-3-0     95  -\n"
	    "meta  llama-2          7  2023-07-18\n");
}

static void
test_long_and_multiline_cells(void **state)
{
	static const struct mf_table_column cols[] = {{"name", "name"},
	                                              {"n", "n"}};

	(void)state;
	render_is("[{\"name\": \"line one\\nline two\", \"n\": 1.5},"
	          " {\"name\": "
	          "\"ééééééééééééééééééééééééééééééééééééééééééééééééééé\"}]",
	          cols, 2,
	          "name                                              n\n"
	          "------------------------------------------------  ---\n"
	          "line one line two                                 1.5\n"
	          "ééééééééééééééééééééééééééééééééééééééééééééé...  -\n");
}

static void
test_compare_stub_auto_columns(void **state)
{
	(void)state;
	/* the shape the compare endpoint is being written to: facts field
	 * by field, one value per model */
	render_is(
	    "[{\"field\": \"parameters\", \"values\": [7e9, 70000000000],"
	    "  \"unit\": \"parameters\", \"differs\": true},"
	    " {\"field\": \"license\", \"values\": [\"llama2\", \"llama2\"],"
	    "  \"differs\": false, \"detail\": {\"x\": 1}}]",
	    NULL, 0,
	    "field       values              unit        differs\n"
	    "----------  ------------------  ----------  -------\n"
	    "parameters  7e+09, 70000000000  parameters  true\n"
	    "license     llama2, llama2      -           false\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_models_table),
	    cmocka_unit_test(test_long_and_multiline_cells),
	    cmocka_unit_test(test_compare_stub_auto_columns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
