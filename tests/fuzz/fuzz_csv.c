/*
 * libFuzzer target for the RFC 4180 CSV reader (importers/csv.c), with
 * small limits so the bounds are reached too. Input: the file.
 *
 * Invariants: every field of a parsed table is UTF-8 without NUL; record
 * lines never go back; and the table written out again (every field
 * quoted) reads back as the same table.
 */
#include "common/buf.h"
#include "common/error.h"
#include "importers/csv.h"
#include "tests/fuzz/fuzz_util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct mf_csv_limits lim = {
    .max_input = 1 << 16,
    .max_field = 2048,
    .max_fields = 64,
    .max_records = 2000,
};

/* The table as CSV: every field quoted, quotes doubled, LF ends. */
static void
write_csv(struct mf_buf *b, const struct mf_csv *csv)
{
	size_t r, f;
	const char *p;

	for (r = 0; r < csv->n_records; r++) {
		const struct mf_csv_record *rec = &csv->records[r];

		for (f = 0; f < rec->n_fields; f++) {
			mf_buf_append(b, f ? ",\"" : "\"", f ? 2 : 1);
			for (p = rec->fields[f]; *p != '\0'; p++)
				mf_buf_append(b, *p == '"' ? "\"\"" : p,
				              *p == '"' ? 2 : 1);
			mf_buf_append(b, "\"", 1);
		}
		mf_buf_append(b, "\n", 1);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mf_csv *csv = NULL, *again = NULL;
	struct mf_buf b = MF_BUF_INIT;
	struct mf_error err;
	size_t r, f, line = 0;

	mf_error_init(&err);
	if (mf_csv_parse(&csv, (const char *)data, size, &lim, &err) != 0)
		goto done;
	MF_FUZZ_CHECK(csv->n_records <= lim.max_records, "record bound");
	for (r = 0; r < csv->n_records; r++) {
		const struct mf_csv_record *rec = &csv->records[r];

		MF_FUZZ_CHECK(rec->n_fields >= 1 &&
		                  rec->n_fields <= lim.max_fields,
		              "field count in bounds");
		MF_FUZZ_CHECK(rec->line > line, "records go forward");
		line = rec->line;
		for (f = 0; f < rec->n_fields; f++) {
			size_t n = strlen(rec->fields[f]);

			MF_FUZZ_CHECK(n <= lim.max_field, "field bound");
			MF_FUZZ_CHECK(mf_fuzz_utf8_ok(rec->fields[f], n),
			              "fields are UTF-8");
			MF_FUZZ_CHECK(mf_csv_field(csv, r, f) == rec->fields[f],
			              "mf_csv_field finds the field");
		}
		MF_FUZZ_CHECK(mf_csv_field(csv, r, rec->n_fields) == NULL,
		              "no field past the last");
	}
	MF_FUZZ_CHECK(mf_csv_field(csv, csv->n_records, 0) == NULL,
	              "no record past the last");
	/* the table written out reads back the same */
	write_csv(&b, csv);
	MF_FUZZ_CHECK(
	    mf_csv_parse(&again, b.data ? b.data : "", b.len, &lim, &err) == 0,
	    "the table written out parses");
	MF_FUZZ_CHECK(again->n_records == csv->n_records,
	              "the same number of records");
	for (r = 0; r < csv->n_records; r++) {
		MF_FUZZ_CHECK(again->records[r].n_fields ==
		                  csv->records[r].n_fields,
		              "the same number of fields");
		for (f = 0; f < csv->records[r].n_fields; f++)
			MF_FUZZ_CHECK(strcmp(again->records[r].fields[f],
			                     csv->records[r].fields[f]) == 0,
			              "the same fields");
	}
done:
	mf_buf_dispose(&b);
	mf_csv_free(again);
	mf_csv_free(csv);
	mf_error_dispose(&err);
	return 0;
}
