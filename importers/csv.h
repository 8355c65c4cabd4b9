/*
 * An RFC 4180 CSV reader for the data files we import (FMTI): quoted
 * fields with doubled quotes and embedded line breaks, CRLF or LF record
 * ends, an optional UTF-8 byte order mark, bounded sizes, and errors that
 * name the line and column.
 *
 * Accepted beyond the RFC: LF or a lone CR as record end, a missing final
 * line break, empty lines (skipped). Rejected: a quote inside an unquoted
 * field, anything but a separator after a closing quote, an unterminated
 * quoted field, invalid UTF-8 and NUL bytes.
 */
#ifndef MF_CSV_H
#define MF_CSV_H

#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>

/* Zero members mean the defaults below. */
struct mf_csv_limits {
	size_t max_input;   /* bytes of input; default 64 MiB */
	size_t max_field;   /* bytes per field after unquoting; default 1 MiB */
	size_t max_fields;  /* fields per record; default 4096 */
	size_t max_records; /* records per file; default 1,000,000 */
};

#define MF_CSV_DEFAULT_MAX_INPUT   ((size_t)64 << 20)
#define MF_CSV_DEFAULT_MAX_FIELD   ((size_t)1 << 20)
#define MF_CSV_DEFAULT_MAX_FIELDS  4096
#define MF_CSV_DEFAULT_MAX_RECORDS 1000000

struct mf_csv_record {
	size_t line;     /* 1-based line on which the record starts */
	size_t n_fields; /* at least 1 */
	char **fields;   /* NUL-terminated UTF-8; owned by the table */
};

/* A parsed file: records in input order. Free with mf_csv_free. */
struct mf_csv {
	size_t n_records;
	struct mf_csv_record *records;
	bool had_bom;
	/* private */
	char *text_;
	char **field_ptrs_;
};

/*
 * Parses len bytes at data into *out (owned by the caller). Returns 0, or
 * MF_E_BAD_REQUEST (syntax), MF_E_BAD_UTF8, MF_E_TOO_LARGE (a limit) or
 * MF_E_NOMEM, with err's message naming line and column. lim may be NULL.
 */
int mf_csv_parse(struct mf_csv **out, const char *data, size_t len,
                 const struct mf_csv_limits *lim, struct mf_error *err);

/* Reads and parses a file; MF_E_IO when it cannot be read. */
int mf_csv_read_file(struct mf_csv **out, const char *path,
                     const struct mf_csv_limits *lim, struct mf_error *err);

void mf_csv_free(struct mf_csv *csv);

/* Borrowed field text, or NULL when record or field is out of range. */
const char *mf_csv_field(const struct mf_csv *csv, size_t record, size_t field);

#endif
