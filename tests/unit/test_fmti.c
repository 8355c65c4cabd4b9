/*
 * Acceptance test for the FMTI import: all three editions are imported
 * and every developer's total, computed by our scoring code from the
 * imported index and assessment documents, must equal the published
 * figures, read here independently from the CSV files (Total rows where
 * they exist, column sums otherwise, and domain subtotals). Also checks
 * the imported documents: valid, numbered, linked, reproducible; and that
 * damaged data is refused. Skips (counted) when the data is absent.
 */
#include "common/digest.h"
#include "common/json.h"
#include "common/timeutil.h"
#include "importers/csv.h"
#include "common/embedded.h"
#include "importers/fmti.h"
#include "importers/fmti_agree.h"
#include "importers/fmti_fill.h"
#include "scoring/index.h"
#include "scoring/score.h"
#include "validators/document.h"

#include <dirent.h>
#include <math.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static char fmti_dir[2048];
static struct mf_fmti_import *imp;
static int64_t issued_ms;

static bool
data_present(void)
{
	const char *env = getenv("MF_SHARED_DATA");
	struct stat st;

	snprintf(fmti_dir, sizeof(fmti_dir), "%s/fmti",
	         env != NULL && *env ? env : "../shared/data");
	return stat(fmti_dir, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
setup(void **state)
{
	struct mf_fmti_options opt;
	struct mf_error err;
	int64_t us;

	(void)state;
	if (!data_present())
		return 0;
	assert_int_equal(mf_time_parse_rfc3339("2026-11-26T10:00:00Z", &us), 0);
	issued_ms = us / 1000;
	memset(&opt, 0, sizeof(opt));
	opt.dir = fmti_dir;
	opt.issued_at_ms = issued_ms;
	mf_error_init(&err);
	if (mf_fmti_import(&imp, &opt, &err) != 0) {
		fprintf(stderr, "import failed: %s\n", err.message);
		mf_error_dispose(&err);
		return -1;
	}
	mf_error_dispose(&err);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	mf_fmti_import_free(imp);
	imp = NULL;
	return 0;
}

static void
need_data(void)
{
	if (imp == NULL) {
		printf("FMTI data absent (%s; set MF_SHARED_DATA): skipped\n",
		       fmti_dir);
		skip();
	}
}

static struct mf_csv *
read_csv(const char *rel)
{
	char path[4096];
	struct mf_csv *csv = NULL;
	struct mf_error err;

	snprintf(path, sizeof(path), "%s/%s", fmti_dir, rel);
	mf_error_init(&err);
	if (mf_csv_read_file(&csv, path, NULL, &err) != 0)
		fail_msg("%s", err.message);
	mf_error_dispose(&err);
	return csv;
}

static long
col(const struct mf_csv *csv, const char *name)
{
	size_t i;

	for (i = 0; i < csv->records[0].n_fields; i++)
		if (strcmp(csv->records[0].fields[i], name) == 0)
			return (long)i;
	return -1;
}

static bool
starts(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/*
 * The published figures for one edition, read straight from its files:
 * per developer column, the sum of the 0/1 cells overall and per domain,
 * and the Total row when the file has one.
 */
struct published {
	char name[64];
	int sum, total_row;
	int domain[3]; /* upstream, model, downstream */
};

static size_t
published(const char *scores, const char *domains_file, struct published *out,
          size_t max)
{
	struct mf_csv *sc = read_csv(scores), *df = read_csv(domains_file);
	long c_ind = col(sc, "Indicator"), c_dom = col(df, "Domain");
	size_t j, n = 0, r, k;

	assert_true(c_ind >= 0 && c_dom >= 0);
	for (j = (size_t)c_ind + 1; j < sc->records[0].n_fields; j++) {
		struct published *p;

		if (strcmp(sc->records[0].fields[j], "Total") == 0)
			continue;
		assert_true(n < max);
		p = &out[n++];
		memset(p, 0, sizeof(*p));
		snprintf(p->name, sizeof(p->name), "%s",
		         sc->records[0].fields[j]);
		p->total_row = -1;
		for (r = 1, k = 0; r < sc->n_records; r++) {
			const char *ind = sc->records[r].fields[c_ind];
			const char *cell = sc->records[r].fields[j];
			const char *dom;
			int v = atoi(cell);

			if (strcmp(ind, "Total") == 0) {
				p->total_row = v;
				continue;
			}
			/* Domains by position: row k of the definitions. */
			dom = df->records[k + 1].fields[c_dom];
			assert_true(strcmp(cell, "0") == 0 ||
			            strcmp(cell, "1") == 0);
			p->sum += v;
			p->domain[starts(dom, "Upstream") ? 0
			          : starts(dom, "Model")  ? 1
			                                  : 2] += v;
			k++;
		}
		assert_int_equal(k, 100);
	}
	mf_csv_free(sc);
	mf_csv_free(df);
	return n;
}

static void
check_edition(size_t e, const char *scores, const char *defs, size_t n_devs,
              bool has_total_row)
{
	const struct mf_fmti_edition *ed = &imp->editions[e];
	static const char *const domains[3] = {"upstream", "model",
	                                       "downstream"};
	struct published pub[32];
	struct mf_index *idx = NULL;
	struct mf_error err;
	size_t n, j, d;

	n = published(scores, defs, pub, 32);
	assert_int_equal(n, n_devs);
	assert_int_equal(ed->n_devs, n_devs);
	mf_error_init(&err);
	if (mf_index_load(&idx, ed->index, &err) != 0)
		fail_msg("%s index: %s", ed->name, err.message);
	assert_int_equal(mf_index_indicator_count(idx), 100);
	for (j = 0; j < n; j++) {
		const struct mf_fmti_developer *dev = &ed->devs[j];
		struct mf_score_assessment a = {dev->assessment.payload,
		                                MF_FMTI_ASSESSOR};
		struct mf_score *s = NULL;

		assert_string_equal(dev->name, pub[j].name);
		assert_int_equal(mf_score_compute(&s, idx,
		                                  dev->disclosure.payload, &a,
		                                  1, &err),
		                 0);
		if ((int)s->total.met != pub[j].sum)
			fail_msg("%s %s: computed %u, published %d", ed->name,
			         dev->name, s->total.met, pub[j].sum);
		if (has_total_row) {
			assert_int_equal(pub[j].total_row, pub[j].sum);
			assert_int_equal(dev->published_total,
			                 pub[j].total_row);
		} else {
			assert_int_equal(dev->published_total, -1);
		}
		for (d = 0; d < 3; d++)
			assert_int_equal(mf_score_domain(s, domains[d])->met,
			                 pub[j].domain[d]);
		/* Every indicator was graded, by the FMTI. */
		assert_int_equal(s->total.max, 100);
		assert_int_equal(s->total.unassessed, 0);
		assert_string_equal(s->items[0].judged_by, MF_FMTI_ASSESSOR);
		mf_score_free(s);
	}
	mf_index_free(idx);
	mf_error_dispose(&err);
}

static int
computed_total(size_t e, const char *developer)
{
	const struct mf_fmti_edition *ed = &imp->editions[e];
	struct mf_index *idx = NULL;
	struct mf_error err;
	size_t j;
	int total = -1;

	mf_error_init(&err);
	assert_int_equal(mf_index_load(&idx, ed->index, &err), 0);
	for (j = 0; j < ed->n_devs; j++) {
		struct mf_score_assessment a = {ed->devs[j].assessment.payload,
		                                MF_FMTI_ASSESSOR};
		struct mf_score *s = NULL;

		if (strcmp(ed->devs[j].name, developer) != 0)
			continue;
		assert_int_equal(mf_score_compute(&s, idx, NULL, &a, 1, &err),
		                 0);
		total = (int)s->total.met;
		mf_score_free(s);
	}
	mf_index_free(idx);
	mf_error_dispose(&err);
	return total;
}

static void
test_totals_v1_0(void **state)
{
	(void)state;
	need_data();
	assert_string_equal(imp->editions[0].name, "v1.0");
	check_edition(0, "v1.0/October2023_scores.csv",
	              "v1.0/fmti-indicators.csv", 10, true);
}

static void
test_totals_v1_1(void **state)
{
	(void)state;
	need_data();
	assert_string_equal(imp->editions[1].name, "v1.1");
	check_edition(1, "v1.1/May2024_scores.csv", "v1.0/fmti-indicators.csv",
	              14, true);
}

static void
test_totals_2025(void **state)
{
	(void)state;
	need_data();
	assert_string_equal(imp->editions[2].name, "2025");
	check_edition(2, "v2025/Dec2025_scores.csv",
	              "v2025/Dec2025_indicators.csv", 13, false);
}

/* Figures quoted in DESIGN.md, independent of the files. */
static void
test_known_totals(void **state)
{
	(void)state;
	need_data();
	assert_int_equal(computed_total(0, "Meta"), 54);
	assert_int_equal(computed_total(0, "Hugging Face"), 53);
	assert_int_equal(computed_total(0, "OpenAI"), 48);
	assert_int_equal(computed_total(1, "BigCode"), 85);
	assert_int_equal(computed_total(2, "IBM"), 95);
}

static void
test_organisations_and_seqs(void **state)
{
	json_t *seqs = json_object(), *o;
	size_t e, j, i, n_stability = 0;
	const char *last_role = NULL;

	(void)state;
	need_data();
	json_array_foreach(imp->orgs, i, o)
	{
		const char *org = mf_json_str(o, "org");

		assert_non_null(org);
		assert_non_null(mf_json_str(o, "name"));
		n_stability += strcmp(org, "stability-ai") == 0;
		last_role = mf_json_str(o, "role");
	}
	/* v1.0 "Stability AI" and v1.1 "Stability" are one organisation. */
	assert_int_equal(n_stability, 1);
	/* the assessor, then the curator that signs everything */
	assert_string_equal(last_role, "curator");
	assert_string_equal(
	    mf_json_str(
	        json_array_get(imp->orgs, json_array_size(imp->orgs) - 1),
	        "org"),
	    MF_FMTI_CURATOR);
	assert_string_equal(
	    mf_json_str(
	        json_array_get(imp->orgs, json_array_size(imp->orgs) - 2),
	        "org"),
	    MF_FMTI_ASSESSOR);

	/* In submission order, the curator's seq counts 1, 2, 3... and every
	 * assessment names the FMTI assessors as its assessor. */
	for (e = 0; e < MF_FMTI_EDITIONS; e++) {
		const struct mf_fmti_edition *ed = &imp->editions[e];

		for (j = 0; j < ed->n_devs; j++) {
			const struct mf_fmti_doc *docs[2] = {
			    &ed->devs[j].disclosure, &ed->devs[j].assessment};
			const char *signers[2] = {MF_FMTI_CURATOR,
			                          MF_FMTI_CURATOR};

			assert_string_equal(
			    mf_json_str(ed->devs[j].assessment.payload,
			                "assessor"),
			    MF_FMTI_ASSESSOR);

			for (i = 0; i < 2; i++) {
				json_int_t want, got;

				if (docs[i]->payload == NULL)
					continue;
				want = json_integer_value(
				           json_object_get(seqs, signers[i])) +
				       1;
				got = json_integer_value(
				    json_object_get(docs[i]->payload, "seq"));
				assert_int_equal(got, want);
				json_object_set_new(seqs, signers[i],
				                    json_integer(want));
			}
		}
	}
	/* 37 assessments and the 14 + 13 reports of v1.1 and 2025 */
	assert_int_equal(
	    json_integer_value(json_object_get(seqs, MF_FMTI_CURATOR)),
	    10 + 14 + 13 + 14 + 13);
	json_decref(seqs);
}

static void
test_documents(void **state)
{
	struct mf_document_options opt = {issued_ms + 3600 * 1000};
	size_t e, j, n_disc[MF_FMTI_EDITIONS] = {0};
	char hex[MF_SHA256_HEX_LEN + 1], ref[80];

	(void)state;
	need_data();
	for (e = 0; e < MF_FMTI_EDITIONS; e++) {
		const struct mf_fmti_edition *ed = &imp->editions[e];

		for (j = 0; j < ed->n_devs; j++) {
			const struct mf_fmti_developer *dev = &ed->devs[j];
			const struct mf_fmti_doc *docs[2] = {&dev->disclosure,
			                                     &dev->assessment};
			size_t i;

			for (i = 0; i < 2; i++) {
				struct mf_doc_report rep;
				struct mf_error err;
				json_t *back;

				if (docs[i]->payload == NULL)
					continue;
				/* The bytes are the payload, and hash to
				 * the recorded digest. */
				mf_sha256_hex(hex, docs[i]->bytes,
				              docs[i]->len);
				assert_string_equal(hex, docs[i]->sha256);
				mf_error_init(&err);
				back =
				    mf_json_parse(docs[i]->bytes, docs[i]->len,
				                  "doc", NULL, &err);
				assert_non_null(back);
				assert_true(json_equal(back, docs[i]->payload));
				json_decref(back);
				assert_int_equal(mf_document_check_with(
				                     docs[i]->payload,
				                     i == 0 ? MF_DOC_DISCLOSURE
				                            : MF_DOC_ASSESSMENT,
				                     &opt, &rep),
				                 0);
				if (!mf_doc_report_ok(&rep))
					fail_msg("%s %s: %s at %s", ed->name,
					         dev->org,
					         rep.errors[0].message,
					         rep.errors[0].pointer);
				mf_doc_report_dispose(&rep);
			}
			assert_string_equal(
			    mf_json_str(dev->assessment.payload, "index"),
			    mf_json_str(ed->index, "id"));
			if (dev->disclosure.payload == NULL)
				continue;
			n_disc[e]++;
			/* The assessment names the disclosure it grades. */
			snprintf(ref, sizeof(ref), "sha256:%s",
			         dev->disclosure.sha256);
			assert_string_equal(
			    mf_json_str(json_object_get(dev->assessment.payload,
			                                "subject"),
			                "disclosure"),
			    ref);
			assert_true(json_object_size(json_object_get(
			                json_object_get(dev->disclosure.payload,
			                                "indices"),
			                mf_json_str(ed->index, "id"))) >= 1);
		}
	}
	/* v1.0 published no developer reports; every later developer did. */
	assert_int_equal(n_disc[0], 0);
	assert_int_equal(n_disc[1], 14);
	assert_int_equal(n_disc[2], 13);
}

static void
test_reproducible(void **state)
{
	struct mf_fmti_options opt;
	struct mf_fmti_import *again = NULL;
	struct mf_error err;
	size_t e, j;

	(void)state;
	need_data();
	memset(&opt, 0, sizeof(opt));
	opt.dir = fmti_dir;
	opt.issued_at_ms = issued_ms;
	mf_error_init(&err);
	assert_int_equal(mf_fmti_import(&again, &opt, &err), 0);
	for (e = 0; e < MF_FMTI_EDITIONS; e++)
		for (j = 0; j < imp->editions[e].n_devs; j++) {
			assert_string_equal(
			    imp->editions[e].devs[j].assessment.sha256,
			    again->editions[e].devs[j].assessment.sha256);
			assert_true(json_equal(imp->editions[e].index,
			                       again->editions[e].index));
		}
	mf_fmti_import_free(again);
	mf_error_dispose(&err);
}

/* ------------------------------------------------------------------ */
/* Damaged copies of the data are refused, with the file and line.     */

static char tmp_root[64];

/* Mirrors src into dst with symlinks, so one file can be replaced. */
static void
mirror(const char *src, const char *dst)
{
	char s[4096], d[4096];
	struct dirent *de;
	struct stat st;
	DIR *dir = opendir(src);

	assert_non_null(dir);
	assert_int_equal(mkdir(dst, 0700), 0);
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(s, sizeof(s), "%s/%s", src, de->d_name);
		snprintf(d, sizeof(d), "%s/%s", dst, de->d_name);
		assert_int_equal(stat(s, &st), 0);
		if (S_ISDIR(st.st_mode))
			mirror(s, d);
		else
			assert_int_equal(symlink(s, d), 0);
	}
	closedir(dir);
}

static void
remove_tree(const char *path)
{
	char p[4096];
	struct dirent *de;
	struct stat st;
	DIR *dir;

	if (lstat(path, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	if ((dir = opendir(path)) != NULL) {
		while ((de = readdir(dir)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
			remove_tree(p);
		}
		closedir(dir);
	}
	rmdir(path);
}

/* Replaces rel in the mirror by the original with the first occurrence
 * of from replaced by to. */
static void
damage(const char *rel, const char *from, const char *to)
{
	char src[4096], dst[4096];
	FILE *f;
	char *buf, *at;
	long n;

	snprintf(src, sizeof(src), "%s/%s", fmti_dir, rel);
	snprintf(dst, sizeof(dst), "%s/fmti/%s", tmp_root, rel);
	f = fopen(src, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	at = strstr(buf, from);
	assert_non_null(at);
	unlink(dst);
	f = fopen(dst, "wb");
	assert_non_null(f);
	fwrite(buf, 1, (size_t)(at - buf), f);
	fputs(to, f);
	fputs(at + strlen(from), f);
	fclose(f);
	free(buf);
}

static void
expect_refused(int code, const char *msg_part)
{
	struct mf_fmti_options opt;
	struct mf_fmti_import *bad = NULL;
	struct mf_error err;
	char dir[128];

	snprintf(dir, sizeof(dir), "%s/fmti", tmp_root);
	memset(&opt, 0, sizeof(opt));
	opt.dir = dir;
	opt.issued_at_ms = issued_ms;
	mf_error_init(&err);
	assert_int_equal(mf_fmti_import(&bad, &opt, &err), code);
	assert_null(bad);
	if (strstr(err.message, msg_part) == NULL)
		fail_msg("message '%s' lacks '%s'", err.message, msg_part);
	mf_error_dispose(&err);
}

static void
fresh_mirror(void)
{
	char dst[128];

	char *abs = realpath(fmti_dir, NULL); /* symlinks need it */

	assert_non_null(abs);
	remove_tree(tmp_root);
	assert_int_equal(mkdir(tmp_root, 0700), 0);
	snprintf(dst, sizeof(dst), "%s/fmti", tmp_root);
	mirror(abs, dst);
	free(abs);
}

static void
test_damaged_data(void **state)
{
	char path[256];

	(void)state;
	need_data();
	snprintf(tmp_root, sizeof(tmp_root), "/tmp/mf_fmti_%ld",
	         (long)getpid());

	/* A score that is not 0 or 1. */
	fresh_mirror();
	damage("v1.1/May2024_scores.csv", "Data sources,0,1,0",
	       "Data sources,0,2,0");
	expect_refused(MF_E_BAD_REQUEST, "May2024_scores.csv, line 3");

	/* Two rows swapped: positions no longer match the indicators. */
	fresh_mirror();
	damage("v2025/Dec2025_scores.csv", "Data acquisition methods,",
	       "Public datasetz,");
	expect_refused(MF_E_BAD_REQUEST, "expected indicator 'Data "
	                                 "acquisition methods'");

	/* A report whose score disagrees with the scores file. */
	fresh_mirror();
	damage("v2025/reports/IBM_fmtransparencyreport_Dec2025.csv", ",1\n",
	       ",0\n");
	expect_refused(MF_E_BAD_REQUEST, "score differs");

	/* A Total row that is not a number. */
	fresh_mirror();
	damage("v1.0/October2023_scores.csv", ",,Total,54,", ",,Total,5x,");
	expect_refused(MF_E_BAD_REQUEST, "bad Total");

	/* A missing file. */
	fresh_mirror();
	snprintf(path, sizeof(path), "%s/fmti/v2025/Dec2025_scores.csv",
	         tmp_root);
	assert_int_equal(unlink(path), 0);
	expect_refused(MF_E_IO, "Dec2025_scores.csv");

	/* A v1 row that names another indicator, in no known spelling. */
	fresh_mirror();
	damage("v1.1/May2024_scores.csv", "Data creators ,", "Data makers,");
	expect_refused(MF_E_BAD_REQUEST, "expected indicator 'Data "
	                                 "creators'");
	remove_tree(tmp_root);
}

/* The crosswalk only adds name checks: without it, v1 rows are matched
 * by position and the totals are the same. */
static void
test_without_crosswalk(void **state)
{
	struct mf_fmti_options opt;
	struct mf_fmti_import *alt = NULL;
	struct mf_error err;
	char path[256], dir[128];
	size_t e, j;

	(void)state;
	need_data();
	snprintf(tmp_root, sizeof(tmp_root), "/tmp/mf_fmti_%ld",
	         (long)getpid());
	fresh_mirror();
	snprintf(path, sizeof(path),
	         "%s/fmti/derived/v1_indicator_name_crosswalk.csv", tmp_root);
	assert_int_equal(unlink(path), 0);
	snprintf(dir, sizeof(dir), "%s/fmti", tmp_root);
	memset(&opt, 0, sizeof(opt));
	opt.dir = dir;
	opt.issued_at_ms = issued_ms;
	mf_error_init(&err);
	if (mf_fmti_import(&alt, &opt, &err) != 0)
		fail_msg("%s", err.message);
	for (e = 0; e < MF_FMTI_EDITIONS; e++)
		for (j = 0; j < imp->editions[e].n_devs; j++)
			assert_string_equal(
			    imp->editions[e].devs[j].assessment.sha256,
			    alt->editions[e].devs[j].assessment.sha256);
	mf_fmti_import_free(alt);
	mf_error_dispose(&err);
	remove_tree(tmp_root);
}

/* ------------------------------------------------------------------ */
/* Answers in the disclosure's own fields (issue 12)                  */

static const struct mf_fmti_developer *
developer(size_t e, const char *name)
{
	size_t j;

	for (j = 0; j < imp->editions[e].n_devs; j++)
		if (strcmp(imp->editions[e].devs[j].name, name) == 0)
			return &imp->editions[e].devs[j];
	fail_msg("no developer %s", name);
	return NULL;
}

/* The disclosed value at pointer (through the status wrapper). */
static json_t *
disclosed(const json_t *doc, const char *pointer)
{
	json_t *w = mf_json_pointer_get((json_t *)doc, pointer);

	if (w == NULL)
		fail_msg("%s is absent", pointer);
	assert_string_equal(mf_json_str(w, "status"), "disclosed");
	assert_non_null(json_object_get(w, "value"));
	return json_object_get(w, "value");
}

static void
test_ibm_2025_facts(void **state)
{
	const struct mf_fmti_developer *ibm;
	json_t *v, *w;

	(void)state;
	need_data();
	ibm = developer(2, "IBM");
	v = disclosed(ibm->disclosure.payload, "/data/size");
	assert_true(json_number_value(json_object_get(v, "amount")) == 12e12);
	assert_string_equal(mf_json_str(v, "unit"), "tokens");
	v = disclosed(ibm->disclosure.payload, "/compute/energy");
	assert_true(json_number_value(json_object_get(v, "amount")) == 757.0);
	assert_string_equal(mf_json_str(v, "unit"), "MWh");
	assert_string_equal(mf_json_str(v, "basis"), "estimated");
	v = disclosed(ibm->disclosure.payload, "/compute/emissions");
	assert_true(json_number_value(json_object_get(v, "amount")) == 295.2);
	v = disclosed(ibm->disclosure.payload, "/compute/training_flop");
	assert_true(json_number_value(json_object_get(v, "amount")) == 5.66e23);
	v = disclosed(ibm->disclosure.payload, "/compute/duration");
	assert_true(json_number_value(json_object_get(v, "amount")) == 120);
	assert_string_equal(mf_json_str(v, "unit"), "days");
	/* the wrapper says where the words come from: the report row */
	w = mf_json_pointer_get(ibm->disclosure.payload, "/data/size");
	assert_non_null(strstr(mf_json_str(w, "explanation"),
	                       "FMTI 2025 indicator 16 (Data size)"));
	assert_non_null(
	    strstr(json_string_value(
	               json_array_get(json_object_get(w, "references"), 0)),
	           "/Dec2025/reports/IBM_fmtransparencyreport_Dec2025.csv"
	           "?plain=1#L"));
}

/* The label's key facts (labels/facts.c) that a crosswalk row fills. */
static const char *const key_fact_pointers[] = {
    "/model/parameters",   "/model/active_parameters",
    "/model/architecture", "/model/context_window",
    "/model/max_output",   "/model/modalities",
    "/data/size",          "/compute/training_flop",
    "/compute/hardware",   "/compute/accelerator_hours",
    "/compute/duration",   "/compute/energy",
    "/compute/emissions",  "/training/start_date",
    "/training/end_date",  "/data/cutoff",
    "/model/languages",    NULL};

/* The words a filled field carries: the text itself, or its note or
 * description. */
static const char *
words_of(const json_t *v)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (mf_json_str(v, "note") != NULL)
		return mf_json_str(v, "note");
	return mf_json_str(v, "description");
}

/* Acceptance: for every 2025 developer, every key fact whose FMTI 2025
 * indicator the experts scored 1 is disclosed in the report's words. */
static void
test_scored_key_facts_disclosed(void **state)
{
	struct mf_fmti_crosswalk *cw = NULL;
	struct mf_error err;
	const struct mf_fmti_edition *ed;
	size_t j, k, p, checked = 0;

	(void)state;
	need_data();
	mf_error_init(&err);
	if (mf_fmti_crosswalk_load(&cw, "schema/crosswalk/fmti-2025.csv",
	                           &err) != 0)
		fail_msg("%s", err.message);
	ed = &imp->editions[2];
	for (j = 0; j < ed->n_devs; j++) {
		const struct mf_fmti_developer *dev = &ed->devs[j];
		json_t *answers = json_object_get(
		    json_object_get(dev->disclosure.payload, "indices"),
		    "fmti-2025");

		for (k = 0; k < 100; k++) {
			const char *id = mf_json_str(
			    json_array_get(
			        json_object_get(ed->index, "indicators"), k),
			    "id");
			json_t *sc = json_object_get(
			    json_object_get(dev->assessment.payload, "scores"),
			    id);
			const char *answer, *words;
			size_t n;

			for (p = 0; key_fact_pointers[p] != NULL; p++)
				if (strcmp(key_fact_pointers[p],
				           cw->rows[k].pointer) == 0)
					break;
			if (key_fact_pointers[p] == NULL ||
			    json_integer_value(json_object_get(sc, "score")) !=
			        1)
				continue;
			answer =
			    mf_json_str(json_object_get(answers, id), "answer");
			if (answer == NULL)
				fail_msg("%s %s: scored 1 without an answer",
				         dev->name, id);
			words = words_of(disclosed(dev->disclosure.payload,
			                           cw->rows[k].pointer));
			if (words == NULL)
				fail_msg("%s %s: no words", dev->name,
				         cw->rows[k].pointer);
			/* the words are the answer's, maybe shortened with
			 * an ellipsis */
			n = strlen(words);
			if (n >= 3 &&
			    strcmp(words + n - 3, "\xe2\x80\xa6") == 0)
				n -= 3;
			if (n == 0 || strncmp(words, answer, n) != 0)
				fail_msg("%s %s: '%.60s' is not the report's "
				         "'%.60s'",
				         dev->name, cw->rows[k].pointer, words,
				         answer);
			checked++;
		}
	}
	/* data size, compute, duration, hardware, energy, emissions,
	 * parameters, architecture across the developers that disclose
	 * them: at least IBM's and Writer's */
	assert_true(checked >= 16);
	free(cw);
	mf_error_dispose(&err);
}

static void
check_crosswalk(const char *path, const json_t *fmti_index,
                const json_t *mf_index)
{
	struct mf_fmti_crosswalk *cw = NULL;
	struct mf_error err;
	size_t k, i;

	mf_error_init(&err);
	if (mf_fmti_crosswalk_load(&cw, path, &err) != 0)
		fail_msg("%s", err.message);
	for (k = 0; k < 100; k++) {
		const struct mf_fmti_xrow *x = &cw->rows[k];
		const json_t *ind, *found = NULL;
		char *rule;

		/* the row names the FMTI indicator of its position */
		ind = json_array_get(json_object_get(fmti_index, "indicators"),
		                     k);
		{
			char a[64], b[64];

			mf_fmti_slug(a, x->name);
			mf_fmti_slug(b, mf_json_str(ind, "name"));
			if (strcmp(a, b) != 0)
				fail_msg("%s row %zu names '%s', the index "
				         "'%s'",
				         path, k + 1, x->name,
				         mf_json_str(ind, "name"));
		}
		if (x->mf_id[0] == '\0')
			continue;
		json_array_foreach(json_object_get(mf_index, "indicators"), i,
		                   ind)
		{
			if (strcmp(mf_json_str(ind, "id"), x->mf_id) == 0)
				found = ind;
		}
		if (found == NULL)
			fail_msg("%s row %zu: no modelfacts-v1 indicator %s",
			         path, k + 1, x->mf_id);
		if (x->pointer[0] == '\0')
			continue;
		/* the field filled is one the indicator's rule reads, or
		 * a member of it */
		rule = mf_json_dump(json_object_get(found, "rule"));
		{
			char quoted[128], member[128];

			snprintf(quoted, sizeof(quoted), "\"%s\"", x->pointer);
			snprintf(member, sizeof(member), "\"%.*s\"",
			         (int)(strrchr(x->pointer, '/') - x->pointer),
			         x->pointer);
			if (strstr(rule, quoted) == NULL &&
			    strstr(rule, member) == NULL)
				fail_msg("%s row %zu: %s does not read %s",
				         path, k + 1, x->mf_id, x->pointer);
		}
		free(rule);
	}
	free(cw);
	mf_error_dispose(&err);
}

static void
test_crosswalks(void **state)
{
	const struct mf_embedded *e =
	    mf_embedded_get("schema/indices/modelfacts-v1.json");
	json_t *mf;

	(void)state;
	need_data();
	assert_non_null(e);
	mf = json_loadb((const char *)e->data, e->len, 0, NULL);
	assert_non_null(mf);
	check_crosswalk("schema/crosswalk/fmti-v1.csv", imp->editions[1].index,
	                mf);
	check_crosswalk("schema/crosswalk/fmti-2025.csv",
	                imp->editions[2].index, mf);
	json_decref(mf);
	assert_false(mf_fmti_fill_supported("/no/such/field"));
}

/* Every report says what became of its answers. */
static void
test_fill_reports(void **state)
{
	size_t e, j;

	(void)state;
	need_data();
	for (e = 1; e < MF_FMTI_EDITIONS; e++)
		for (j = 0; j < imp->editions[e].n_devs; j++) {
			const json_t *r = imp->editions[e].devs[j].fill_report;
			size_t n;

			assert_non_null(r);
			n = json_array_size(json_object_get(r, "undisclosed")) +
			    json_array_size(json_object_get(r, "mapped")) +
			    json_array_size(json_object_get(r, "free_text"));
			assert_int_equal(n, json_integer_value(
			                        json_object_get(r, "answers")));
		}
	assert_null(imp->editions[0].devs[0].fill_report);
}

/*
 * The agreement figures recorded in FIDELITY.md: the automatic
 * modelfacts-v1 check of the imported reports against the FMTI experts.
 * A change to the crosswalk, the extractor or the rules that lowers them
 * fails here (raise the floors when they improve, and update
 * FIDELITY.md).
 */
static void
check_agreement(size_t e, unsigned rows, double min_percent, double min_kappa)
{
	const struct mf_fmti_edition *ed = &imp->editions[e];
	struct mf_fmti_agreement total;
	struct mf_error err;
	size_t j;
	double pct, kappa;

	memset(&total, 0, sizeof(total));
	mf_error_init(&err);
	for (j = 0; j < ed->n_devs; j++)
		if (mf_fmti_agree(&total, ed, &ed->devs[j], &err) != 0)
			fail_msg("%s", err.message);
	pct = mf_fmti_agreement_percent(&total);
	kappa = mf_fmti_agreement_kappa(&total);
	printf("FMTI %s: %u rows, %.2f%% agreement, kappa %.4f\n", ed->name,
	       total.n, pct, kappa);
	assert_int_equal(total.n, rows);
	assert_int_equal(total.both + total.auto_only + total.fmti_only +
	                     total.neither,
	                 total.n);
	if (pct < min_percent || kappa < min_kappa)
		fail_msg("FMTI %s agreement fell to %.2f%%, kappa %.4f "
		         "(recorded: %.1f%%, %.3f)",
		         ed->name, pct, kappa, min_percent, min_kappa);
	mf_error_dispose(&err);
}

static void
test_agreement(void **state)
{
	struct mf_fmti_agreement a;

	(void)state;
	need_data();
	/* kappa on a known table: 20 both, 5+10 apart, 15 neither */
	memset(&a, 0, sizeof(a));
	a.n = 50, a.both = 20, a.auto_only = 5, a.fmti_only = 10;
	a.neither = 15;
	assert_true(fabs(mf_fmti_agreement_percent(&a) - 70.0) < 1e-9);
	assert_true(fabs(mf_fmti_agreement_kappa(&a) - 0.4) < 1e-9);
	/* v1.1: 14 developers x 78 rows; 2025 (held out): 13 x 66 */
	check_agreement(1, 14 * 78, 60.8, 0.266);
	check_agreement(2, 13 * 66, 65.6, 0.251);
}

/* Real model names: the data's, one registry model per real model. */
static bool
mentioned(const struct mf_fmti_developer *dev, const char *name)
{
	const json_t *v;
	const char *k;
	json_t *answers;

	answers =
	    json_object_get(json_object_get(dev->disclosure.payload, "indices"),
	                    mf_json_str(dev->assessment.payload, "index"));
	json_object_foreach(answers, k, v)
	{
		if (strstr(mf_json_str(v, "answer"), name) != NULL)
			return true;
	}
	json_object_foreach(json_object_get(dev->assessment.payload, "scores"),
	                    k, v)
	{
		const char *j = mf_json_str(v, "justification");

		if (j != NULL && strstr(j, name) != NULL)
			return true;
	}
	return false;
}

static void
test_model_names(void **state)
{
	/* named by the upstream README, not necessarily by the report */
	static const char *const readme_named[] = {"GPT-4", "Gemini 1.0 Ultra",
	                                           "Llama 2", NULL};
	size_t e, j, k;

	(void)state;
	need_data();
	assert_string_equal(developer(2, "IBM")->model, "granite-3-0");
	assert_string_equal(
	    mf_json_str(json_object_get(developer(2, "IBM")->disclosure.payload,
	                                "identity"),
	                "name"),
	    "Granite 3.0");
	assert_string_equal(developer(2, "IBM")->legacy_model,
	                    "flagship-2025-12");
	assert_string_equal(developer(0, "Hugging Face")->model, "bloomz");
	assert_string_equal(developer(0, "Stability AI")->model,
	                    "stable-diffusion-2");
	/* Llama 2 and GPT-4, graded in 2023 and 2024, are one model each */
	assert_string_equal(developer(0, "Meta")->model, "llama-2");
	assert_string_equal(developer(1, "Meta")->model, "llama-2");
	assert_string_equal(developer(1, "OpenAI")->model, "gpt-4");
	/* a developer whose report names no model keeps the old id */
	assert_string_equal(developer(1, "Adept")->model, "flagship-2024-05");
	assert_null(developer(1, "Adept")->model_name);
	assert_string_equal(
	    mf_json_str(developer(2, "Meta")->assessment.payload, "model_name"),
	    "Llama 4");
	for (e = 1; e < MF_FMTI_EDITIONS; e++)
		for (j = 0; j < imp->editions[e].n_devs; j++) {
			const struct mf_fmti_developer *dev =
			    &imp->editions[e].devs[j];

			if (dev->model_name == NULL)
				continue;
			for (k = 0; readme_named[k] != NULL; k++)
				if (strcmp(readme_named[k], dev->model_name) ==
				    0)
					break;
			if (readme_named[k] == NULL &&
			    !mentioned(dev, dev->model_name))
				fail_msg("%s %s: the report never names '%s'",
				         imp->editions[e].name, dev->name,
				         dev->model_name);
		}
}

/* Every document says where it comes from, who wrote the original, and
 * the license with its credit line. */
static void
test_provenance(void **state)
{
	static const char *const fmti_prepared[] = {
	    "Alibaba", "Anthropic", "DeepSeek", "Midjourney",
	    "Mistral", "xAI",       NULL};
	size_t e, j, k, n_team = 0;

	(void)state;
	need_data();
	for (e = 0; e < MF_FMTI_EDITIONS; e++)
		for (j = 0; j < imp->editions[e].n_devs; j++) {
			const struct mf_fmti_developer *dev =
			    &imp->editions[e].devs[j];
			const json_t *a = json_object_get(
			    dev->assessment.payload, "transcribed_from");
			const json_t *d = json_object_get(
			    dev->disclosure.payload, "transcribed_from");
			const char *want = dev->name;

			assert_string_equal(mf_json_str(a, "prepared_by"),
			                    "the FMTI team");
			assert_string_equal(mf_json_str(a, "license"),
			                    "CC-BY-4.0");
			assert_non_null(
			    strstr(mf_json_str(a, "attribution"), "Bommasani"));
			if (dev->disclosure.payload == NULL)
				continue;
			for (k = 0; fmti_prepared[k] != NULL; k++)
				if (e == 2 &&
				    strcmp(fmti_prepared[k], dev->name) == 0)
					want = "the FMTI team";
			n_team += strcmp(want, "the FMTI team") == 0;
			assert_string_equal(mf_json_str(d, "prepared_by"),
			                    want);
			assert_string_equal(mf_json_str(d, "license"),
			                    "CC-BY-4.0");
			assert_string_equal(mf_json_str(d, "edition"),
			                    imp->editions[e].name);
			assert_non_null(strstr(mf_json_str(d, "url"),
			                       "_fmtransparencyreport"));
		}
	assert_int_equal(n_team, 6);
	/* the renamed v1.1 file links to its upstream name */
	assert_non_null(
	    strstr(mf_json_str(json_object_get(
	                           developer(1, "BigCode")->disclosure.payload,
	                           "transcribed_from"),
	                       "url"),
	           "/May2024/reports/BigCode%3AHugging%20Face%3AServiceNow_"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_totals_v1_0),
	    cmocka_unit_test(test_totals_v1_1),
	    cmocka_unit_test(test_totals_2025),
	    cmocka_unit_test(test_known_totals),
	    cmocka_unit_test(test_organisations_and_seqs),
	    cmocka_unit_test(test_documents),
	    cmocka_unit_test(test_reproducible),
	    cmocka_unit_test(test_damaged_data),
	    cmocka_unit_test(test_without_crosswalk),
	    cmocka_unit_test(test_ibm_2025_facts),
	    cmocka_unit_test(test_scored_key_facts_disclosed),
	    cmocka_unit_test(test_crosswalks),
	    cmocka_unit_test(test_fill_reports),
	    cmocka_unit_test(test_agreement),
	    cmocka_unit_test(test_model_names),
	    cmocka_unit_test(test_provenance),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
