/*
 * libFuzzer target for the eval-harness importers (importers/evals_*.c):
 * format detection, lm-evaluation-harness results, Inspect logs (JSON,
 * or a .eval ZIP archive through importers/evals_zip.c) and HELM run
 * specs with their stats. Input: a format byte (low two bits: 0 auto,
 * 1 lm-eval, 2 inspect, 3 helm), then the file; for HELM the run spec,
 * a NUL and stats.json.
 *
 * Invariants: a ZIP member read is NUL-terminated and within its bound;
 * an import that succeeds appends objects only, one seq each, and each
 * serialises as UTF-8.
 */
#include "common/buf.h"
#include "common/error.h"
#include "importers/evals_import.h"
#include "importers/evals_zip.h"
#include "tests/fuzz/fuzz_util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ZIP_MAX (1u << 16)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mf_evals_options opt;
	struct mf_evals_input in;
	struct mf_error err;
	enum mf_evals_format fmt;
	const uint8_t *nul;
	uint8_t *member = NULL;
	size_t member_len, i;
	json_t *out = NULL;

	if (size < 1)
		return 0;
	mf_error_init(&err);
	fmt = (enum mf_evals_format)(data[0] & 3);
	/* 1. The ZIP reader alone, on the member Inspect logs have. */
	if (mf_zip_member(&member, &member_len, data + 1, size - 1,
	                  "header.json", ZIP_MAX, "fuzz.eval", &err) == 0) {
		MF_FUZZ_CHECK(member_len <= ZIP_MAX, "a member within bound");
		MF_FUZZ_CHECK(member[member_len] == '\0',
		              "a member is NUL-terminated");
	}
	mf_error_dispose(&err);
	mf_error_init(&err);
	/* 2. The import. */
	memset(&in, 0, sizeof(in));
	in.name = "fuzz-input";
	in.data = data + 1;
	in.len = size - 1;
	if (fmt == MF_EVALS_HELM &&
	    (nul = memchr(data + 1, '\0', size - 1)) != NULL) {
		in.len = (size_t)(nul - (data + 1));
		in.stats_name = "stats.json";
		in.stats = nul + 1;
		in.stats_len = size - 1 - in.len - 1;
	}
	memset(&opt, 0, sizeof(opt));
	opt.registry = "modelfacts.localhost";
	opt.org = "acme";
	opt.model = "acme-7b";
	opt.issued_at = "2026-01-01T00:00:00Z";
	opt.seq = 5;
	(void)mf_evals_detect(&in, &err);
	mf_error_dispose(&err);
	mf_error_init(&err);
	if ((out = json_array()) == NULL)
		goto done;
	if (mf_evals_import(out, fmt, &in, &opt, &err) == 0) {
		MF_FUZZ_CHECK(opt.seq == 5 + (int64_t)json_array_size(out),
		              "one seq per payload");
		for (i = 0; i < json_array_size(out); i++) {
			struct mf_buf b = MF_BUF_INIT;

			MF_FUZZ_CHECK(json_is_object(json_array_get(out, i)),
			              "payloads are objects");
			MF_FUZZ_CHECK(
			    mf_evals_dump(&b, json_array_get(out, i)) == 0 &&
			        mf_fuzz_utf8_ok(b.data, b.len),
			    "payloads serialise as UTF-8");
			mf_buf_dispose(&b);
		}
	}
done:
	json_decref(out);
	free(member);
	mf_error_dispose(&err);
	return 0;
}
