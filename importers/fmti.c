/*
 * FMTI importer (see fmti.h). Each edition is described by one row of
 * editions[]; the files are read with the RFC 4180 reader and checked
 * against what the data set's README documents (100 indicators per file,
 * rows in the same order, scores 0 or 1, Total rows that add up), so a
 * changed data set fails loudly instead of importing wrong scores.
 */
#include "importers/fmti.h"

#include "common/json.h"
#include "common/timeutil.h"
#include "importers/csv.h"
#include "importers/fmti_fill.h"
#include "validators/semantic.h"

#include <ctype.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define N_INDICATORS 100
#define MAX_TEXT     20000 /* code points: the schema's long-text */
#define MAX_CITATION 2000  /* code points: the schema's text */

#define SOURCE_URL "https://github.com/stanford-crfm/fmti"
/* The upstream commit the data set was copied from (its README). */
#define SOURCE_BLOB SOURCE_URL "/blob/f4500c5f4763966fddf71c468a148533a1236290/"
#define ATTRIBUTION                                                            \
	"Foundation Model Transparency Index by Bommasani, Klyman, "           \
	"Kapoor, Longpre, Xiong, Maslej, Liang and Wan (Stanford CRFM, "       \
	"Princeton CITP, MIT Media Lab); data from "                           \
	"github.com/stanford-crfm/fmti under CC BY 4.0."

struct edition_spec {
	const char *name;
	const char *label;
	const char *index_id;
	const char *assessed_on; /* the edition's month */
	const char *model;       /* model id for the assessed flagship */
	const char *indicators;
	const char *scores;
	const char *justifications; /* v1.0 only: extracted from PDFs */
	const char *reports_dir;
	const char *reports_suffix;
	const char *upstream_reports; /* the reports' folder upstream */
	const char *crosswalk;        /* schema/crosswalk/..., compiled in */
	bool v1; /* names are checked against the v1 crosswalk */
};

static const struct edition_spec editions[MF_FMTI_EDITIONS] = {
    {"v1.0", "October 2023", "fmti-v1.0", "2023-10-01", "flagship-2023-10",
     "v1.0/fmti-indicators.csv", "v1.0/October2023_scores.csv",
     "v1.0/October2023_justifications.csv", NULL, NULL, NULL, NULL, true},
    {"v1.1", "May 2024", "fmti-v1.1", "2024-05-01", "flagship-2024-05",
     "v1.0/fmti-indicators.csv", "v1.1/May2024_scores.csv", NULL,
     "v1.1/reports", "_fmtransparencyreport_May2024.csv", "May2024/reports",
     "schema/crosswalk/fmti-v1.csv", true},
    {"2025", "December 2025", "fmti-2025", "2025-12-01", "flagship-2025-12",
     "v2025/Dec2025_indicators.csv", "v2025/Dec2025_scores.csv", NULL,
     "v2025/reports", "_fmtransparencyreport_Dec2025.csv", "Dec2025/reports",
     "schema/crosswalk/fmti-2025.csv", false},
};

#define CROSSWALK "derived/v1_indicator_name_crosswalk.csv"

/* Developers published under different names in different editions. */
static const struct {
	const char *published;
	const char *org;
	const char *name;
} aliases[] = {
    {"Stability", "stability-ai", "Stability AI"},
};

/*
 * Report files the data set renamed (its README, v1.1 notes): the local
 * name and the upstream one, URL-encoded, for links to the report rows.
 */
static const struct {
	const char *local, *upstream;
} renamed[] = {
    {"AI21_Labs_fmtransparencyreport_May2024.csv",
     "AI21%20Labs_fmtransparencyreport_May2024.csv"},
    {"Aleph_Alpha_fmtransparencyreport_May2024.csv",
     "Aleph%20Alpha_fmtransparencyreport_May2024.csv"},
    {"BigCode_HuggingFace_ServiceNow_fmtransparencyreport_May2024.csv",
     "BigCode%3AHugging%20Face%3AServiceNow_fmtransparencyreport_May2024.csv"},
    {"Stability_AI_fmtransparencyreport_May2024.csv",
     "Stability%20AI_fmtransparencyreport_May2024.csv"},
    {"Writer_fmtransparencyreport_May2024.csv",
     "Writer_fmtransparencyreport-May2024.csv"},
};

/*
 * Who wrote each 2025 report. Upstream's README says only that 7
 * companies prepared their own and the FMTI team prepared 6; its chart
 * "FMTI Scores by Reporting Method, 2025" (Dec2025/visuals/
 * reporting_method.pdf) gives the two groups' mean domain scores
 * (company 14.0/17.1/23.0, FMTI 3.5/9.8/11.7), and exactly one split of
 * the 13 published scores reproduces them: these six (FIDELITY.md).
 */
static const char *const fmti_prepared_2025[] = {
    "Alibaba", "Anthropic", "DeepSeek", "Midjourney", "Mistral", "xAI",
};

/*
 * The model each edition assessed, where the data names it (issue 12):
 * 2023, the flagship each v1.0 scoring PDF states (data set README);
 * May 2024, the three the upstream README names (GPT-4, Gemini 1.0 Ultra,
 * Llama 2) and the model the developer's own report names throughout;
 * 2025, the model the report names throughout. A unit test checks that
 * every "report" name occurs in that report. Developers not listed keep
 * the edition's flagship-YYYY-MM id.
 */
static const struct {
	const char *edition, *developer, *model, *evidence;
} model_names[] = {
    {"v1.0", "Meta", "Llama 2", "readme"},
    {"v1.0", "Hugging Face", "BLOOMZ", "readme"},
    {"v1.0", "OpenAI", "GPT-4", "readme"},
    {"v1.0", "Stability AI", "Stable Diffusion 2", "readme"},
    {"v1.0", "Google", "PaLM 2", "readme"},
    {"v1.0", "Anthropic", "Claude 2", "readme"},
    {"v1.0", "Cohere", "Command", "readme"},
    {"v1.0", "AI21 Labs", "Jurassic-2", "readme"},
    {"v1.0", "Inflection", "Inflection-1", "readme"},
    {"v1.0", "Amazon", "Titan Text", "readme"},
    {"v1.1", "OpenAI", "GPT-4", "readme"},
    {"v1.1", "Google", "Gemini 1.0 Ultra", "readme"},
    {"v1.1", "Meta", "Llama 2", "readme"},
    {"v1.1", "Aleph Alpha", "Luminous", "report"},
    {"v1.1", "Amazon", "Titan Text Express", "report"},
    {"v1.1", "Anthropic", "Claude 3", "report"},
    {"v1.1", "BigCode", "StarCoder", "report"},
    {"v1.1", "IBM", "Granite", "report"},
    {"v1.1", "Mistral", "Mistral 7B", "report"},
    {"v1.1", "Writer", "Palmyra-X", "report"},
    {"2025", "AI21 Labs", "Jamba 1.6", "report"},
    {"2025", "Alibaba", "Qwen3", "report"},
    {"2025", "Amazon", "Amazon Nova Premier", "report"},
    {"2025", "Anthropic", "Claude Opus 4", "report"},
    {"2025", "DeepSeek", "DeepSeek-R1", "report"},
    {"2025", "Google", "Gemini 2.5 Pro", "report"},
    {"2025", "IBM", "Granite 3.0", "report"},
    {"2025", "Meta", "Llama 4", "report"},
    {"2025", "Midjourney", "Midjourney V7", "report"},
    {"2025", "Mistral", "Mistral Medium 3", "report"},
    {"2025", "OpenAI", "o3", "report"},
    {"2025", "Writer", "Palmyra X5", "report"},
    {"2025", "xAI", "Grok 3", "report"},
};

static const char *
model_name_of(const struct edition_spec *ed, const char *dev)
{
	size_t i;

	for (i = 0; i < sizeof(model_names) / sizeof(model_names[0]); i++)
		if (strcmp(model_names[i].edition, ed->name) == 0 &&
		    strcmp(model_names[i].developer, dev) == 0)
			return model_names[i].model;
	return NULL;
}

struct indicator {
	char id[64];
	char *name; /* trimmed */
};

struct importer {
	const struct mf_fmti_options *opt;
	struct mf_error *err;
	char issued_at[40];
	json_t *seqs; /* {org: last seq} */
	json_t *orgs;
	struct mf_csv *crosswalk;       /* NULL when absent */
	struct mf_fmti_crosswalk *fill; /* the edition's, NULL for v1.0 */
	struct indicator inds[N_INDICATORS];
};

/* ------------------------------------------------------------------ */
/* Text helpers                                                        */

void
mf_fmti_slug(char out[64], const char *name)
{
	size_t n = 0;
	bool dash = false;

	for (; *name && n < 63; name++) {
		unsigned char c = (unsigned char)*name;

		if (isalnum(c) && c < 0x80) {
			if (dash && n > 0)
				out[n++] = '-';
			if (n < 63)
				out[n++] = (char)tolower(c);
			dash = false;
		} else {
			dash = true;
		}
	}
	out[n] = '\0';
}

/* Trimmed copy of s; NULL when out of memory. */
static char *
trimmed(const char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	                 s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	return strndup(s, n);
}

/* Names compare without case, spacing or hyphen differences. */
static bool
same_name(const char *a, const char *b)
{
	for (;;) {
		while (*a == ' ' || *a == '-')
			a++;
		while (*b == ' ' || *b == '-')
			b++;
		if (*a == '\0' || *b == '\0')
			return *a == *b;
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
		a++, b++;
	}
}

/*
 * Text as our schema accepts it: trimmed, line breaks as LF, no other
 * control characters, at most max code points (cut on a character
 * boundary). NULL for empty text or when out of memory (*oom set).
 */
static char *
clean_text(const char *in, size_t max, bool *oom)
{
	char *t = trimmed(in), *o, *p;
	size_t cps = 0;

	if (t == NULL) {
		*oom = true;
		return NULL;
	}
	for (p = o = t; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '\r') {
			if (p[1] == '\n')
				continue;
			c = '\n';
		} else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
			c = ' ';
		} else if (c == 0xc2 && (unsigned char)p[1] >= 0x80 &&
		           (unsigned char)p[1] <= 0x9f) {
			p++; /* a C1 control character */
			c = ' ';
		}
		if ((c & 0xc0) != 0x80 && cps++ == max)
			break;
		*o++ = (char)c;
	}
	*o = '\0';
	if (*t == '\0') {
		free(t);
		return NULL;
	}
	return t;
}

/*
 * Splits a free-text reference cell into the http(s) URLs it contains
 * (valid, unique, at most 50: mf_fmti_urls) and, when it says more than URLs,
 * the text itself as a citation.
 */
static int
references(const char *text, json_t **urls_out, char **citation_out)
{
	json_t *urls;
	bool words = false, oom = false;

	*urls_out = NULL;
	*citation_out = NULL;
	/* the one URL splitter of the importers (fmti_fill.c) */
	if ((urls = mf_fmti_urls(text, &words)) == NULL)
		return MF_E_NOMEM;
	if (words) {
		*citation_out = clean_text(text, MAX_CITATION, &oom);
		if (oom) {
			json_decref(urls);
			return MF_E_NOMEM;
		}
	}
	if (json_array_size(urls) > 0)
		*urls_out = urls;
	else
		json_decref(urls);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Files                                                               */

static int
bad_data(struct importer *im, const char *file, size_t line, const char *what)
{
	return mf_error_set(im->err, MF_E_BAD_REQUEST, NULL,
	                    "FMTI data %s, line %zu: %s", file, line, what);
}

static int
read_csv(struct importer *im, const char *rel, struct mf_csv **out)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", im->opt->dir, rel);
	return mf_csv_read_file(out, path, NULL, im->err);
}

/* Column whose trimmed header equals name (any case), or -1. */
static long
column(const struct mf_csv *csv, const char *name)
{
	size_t i;

	if (csv->n_records == 0)
		return -1;
	for (i = 0; i < csv->records[0].n_fields; i++) {
		const char *h = csv->records[0].fields[i];
		size_t n = strlen(name);

		while (*h == ' ')
			h++;
		if (strncasecmp(h, name, n) == 0 &&
		    strspn(h + n, " ") == strlen(h + n))
			return (long)i;
	}
	return -1;
}

static bool
blank_record(const struct mf_csv_record *r)
{
	size_t i;

	for (i = 0; i < r->n_fields; i++)
		if (r->fields[i][strspn(r->fields[i], " \t\r\n")] != '\0')
			return false;
	return true;
}

/* Row k (0-based) of a v1 file must name indicator k, in any of the
 * spellings the crosswalk records. */
static int
check_name(struct importer *im, const struct edition_spec *ed, const char *file,
           size_t line, size_t k, const char *name)
{
	size_t c;

	if (same_name(name, im->inds[k].name))
		return 0;
	/* v1 files name nine indicators differently (README); without the
	 * crosswalk that records how, position is all we can go by. */
	if (ed->v1 && im->crosswalk == NULL)
		return 0;
	if (ed->v1 && k + 1 < im->crosswalk->n_records) {
		const struct mf_csv_record *r = &im->crosswalk->records[k + 1];

		for (c = 3; c < r->n_fields && c <= 7; c++)
			if (same_name(name, r->fields[c]))
				return 0;
	}
	{
		char msg[256];

		snprintf(msg, sizeof(msg),
		         "row %zu is '%.80s', expected indicator '%.80s'",
		         k + 1, name, im->inds[k].name);
		return bad_data(im, file, line, msg);
	}
}

/* ------------------------------------------------------------------ */
/* Index                                                               */

static int
build_index(struct importer *im, const struct edition_spec *ed, json_t **out)
{
	struct mf_csv *csv = NULL;
	json_t *doc = NULL, *domains, *inds, *dom = NULL, *subs;
	long c_dom, c_sub, c_ind, c_def, c_notes;
	size_t i, k = 0;
	bool oom = false;
	int rc;

	*out = NULL;
	if ((rc = read_csv(im, ed->indicators, &csv)) != 0)
		return rc;
	c_dom = column(csv, "Domain");
	c_sub = column(csv, "Subdomain");
	c_ind = column(csv, "Indicator");
	c_def = column(csv, "Definition");
	c_notes = column(csv, "Notes");
	if (c_dom < 0 || c_sub < 0 || c_ind < 0 || c_def < 0) {
		rc = bad_data(im, ed->indicators, 1,
		              "expected Domain, Subdomain, Indicator and "
		              "Definition columns");
		goto done;
	}
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[], s:[]}", "id",
	                ed->index_id, "name",
	                "Foundation Model Transparency Index", "edition",
	                ed->name, "published", ed->assessed_on, "source",
	                SOURCE_URL, "license", "CC-BY-4.0", "attribution",
	                ATTRIBUTION, "domains", "indicators");
	if (doc == NULL) {
		rc = MF_E_NOMEM;
		goto done;
	}
	domains = json_object_get(doc, "domains");
	inds = json_object_get(doc, "indicators");
	for (i = 1; i < csv->n_records; i++) {
		const struct mf_csv_record *r = &csv->records[i];
		char d_id[64], s_id[64], *d_name, *s_name, *def, *notes;
		json_t *ind;
		size_t j;

		if (blank_record(r))
			continue;
		if (k == N_INDICATORS) {
			rc = bad_data(im, ed->indicators, r->line,
			              "more than 100 indicators");
			goto done;
		}
		if (r->n_fields <= (size_t)c_def) {
			rc = bad_data(im, ed->indicators, r->line,
			              "too few fields");
			goto done;
		}
		free(im->inds[k].name);
		im->inds[k].name = trimmed(r->fields[c_ind]);
		d_name = trimmed(r->fields[c_dom]);
		s_name = trimmed(r->fields[c_sub]);
		def = clean_text(r->fields[c_def], MAX_CITATION, &oom);
		notes = c_notes >= 0 && (size_t)c_notes < r->n_fields
		            ? clean_text(r->fields[c_notes], MAX_TEXT, &oom)
		            : NULL;
		if (im->inds[k].name == NULL || d_name == NULL ||
		    s_name == NULL || oom) {
			free(d_name), free(s_name), free(def), free(notes);
			rc = MF_E_NOMEM;
			goto done;
		}
		mf_fmti_slug(im->inds[k].id, im->inds[k].name);
		mf_fmti_slug(d_id, d_name);
		mf_fmti_slug(s_id, s_name);
		for (j = 0; j < k; j++)
			if (strcmp(im->inds[j].id, im->inds[k].id) == 0)
				break;
		if (j < k || !im->inds[k].id[0] || !d_id[0] || !s_id[0] ||
		    def == NULL) {
			free(d_name), free(s_name), free(def), free(notes);
			rc = bad_data(im, ed->indicators, r->line,
			              "indicator without a unique name, a "
			              "domain, a subdomain or a definition");
			goto done;
		}
		/* Domains and subdomains in order of first appearance. */
		dom = NULL;
		json_array_foreach(domains, j, dom)
		{
			if (strcmp(
			        json_string_value(json_object_get(dom, "id")),
			        d_id) == 0)
				break;
		}
		if (j == json_array_size(domains) &&
		    ((dom = json_pack("{s:s, s:s, s:[]}", "id", d_id, "name",
		                      d_name, "subdomains")) == NULL ||
		     json_array_append_new(domains, dom) != 0))
			oom = true;
		subs = json_object_get(dom, "subdomains");
		json_array_foreach(subs, j, ind)
		{
			if (strcmp(
			        json_string_value(json_object_get(ind, "id")),
			        s_id) == 0)
				break;
		}
		if (!oom && j == json_array_size(subs) &&
		    json_array_append_new(subs,
		                          json_pack("{s:s, s:s}", "id", s_id,
		                                    "name", s_name)) != 0)
			oom = true;
		ind = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "id",
		                im->inds[k].id, "number", (json_int_t)(k + 1),
		                "domain", d_id, "subdomain", s_id, "name",
		                im->inds[k].name, "definition", def);
		if (ind != NULL && notes != NULL)
			json_object_set_new(ind, "notes", json_string(notes));
		if (ind == NULL || json_array_append_new(inds, ind) != 0)
			oom = true;
		free(d_name), free(s_name), free(def), free(notes);
		if (oom) {
			rc = MF_E_NOMEM;
			goto done;
		}
		k++;
	}
	if (k != N_INDICATORS) {
		rc = bad_data(im, ed->indicators, 1,
		              "expected exactly 100 indicators");
		goto done;
	}
	*out = doc;
	doc = NULL;
done:
	json_decref(doc);
	mf_csv_free(csv);
	if (rc == MF_E_NOMEM)
		mf_error_set(im->err, rc, NULL, "out of memory");
	return rc;
}

/* ------------------------------------------------------------------ */
/* Scores, justifications, reports                                     */

/* What one developer's file says about one indicator. */
struct cell {
	int score;
	char *justification;
	char *disclosure;
	char *refs;  /* free text */
	size_t line; /* of the report row */
};

struct dev_data {
	struct cell cells[N_INDICATORS];
	bool has_report;
	char report_file[256]; /* the report's file name */
};

static void
dev_data_dispose(struct dev_data *d)
{
	size_t k;

	for (k = 0; k < N_INDICATORS; k++) {
		free(d->cells[k].justification);
		free(d->cells[k].disclosure);
		free(d->cells[k].refs);
	}
}

static int
score_of(struct importer *im, const char *file, size_t line, const char *s,
         int *out)
{
	char *t = trimmed(s);
	int rc = 0;

	if (t == NULL)
		return MF_E_NOMEM;
	if (strcmp(t, "0") == 0 || strcmp(t, "1") == 0)
		*out = t[0] - '0';
	else
		rc = bad_data(im, file, line, "a score is 0 or 1");
	free(t);
	return rc;
}

/* The developer's v1.0 justifications (one file for all developers). */
static int
read_justifications(struct importer *im, const struct edition_spec *ed,
                    const char *dev, struct dev_data *dd)
{
	struct mf_csv *csv = NULL;
	long c_dev, c_num, c_score, c_just, c_src;
	bool oom = false;
	size_t i;
	int rc, score;

	if ((rc = read_csv(im, ed->justifications, &csv)) != 0)
		return rc;
	c_dev = column(csv, "developer");
	c_num = column(csv, "indicator_number");
	c_score = column(csv, "score");
	c_just = column(csv, "justification");
	c_src = column(csv, "source");
	if (c_dev < 0 || c_num < 0 || c_score < 0 || c_just < 0 || c_src < 0) {
		rc = bad_data(im, ed->justifications, 1,
		              "expected developer, indicator_number, score, "
		              "justification and source columns");
		goto done;
	}
	for (i = 1; i < csv->n_records; i++) {
		const struct mf_csv_record *r = &csv->records[i];
		long num;
		char *end;
		struct cell *c;

		if (r->n_fields != csv->records[0].n_fields ||
		    strcmp(r->fields[c_dev], dev) != 0)
			continue;
		num = strtol(r->fields[c_num], &end, 10);
		if (*end != '\0' || num < 1 || num > N_INDICATORS) {
			rc = bad_data(im, ed->justifications, r->line,
			              "bad indicator_number");
			goto done;
		}
		c = &dd->cells[num - 1];
		if ((rc = score_of(im, ed->justifications, r->line,
		                   r->fields[c_score], &score)) != 0)
			goto done;
		if (score != c->score) {
			rc = bad_data(im, ed->justifications, r->line,
			              "score differs from the scores file");
			goto done;
		}
		free(c->justification);
		free(c->refs);
		c->justification =
		    clean_text(r->fields[c_just], MAX_TEXT, &oom);
		c->refs = strdup(r->fields[c_src]);
		if (oom || c->refs == NULL) {
			rc = mf_error_set(im->err, MF_E_NOMEM, NULL,
			                  "out of memory");
			goto done;
		}
	}
done:
	mf_csv_free(csv);
	return rc;
}

/* Report file of a developer: its name starts with the developer's
 * published name, spaces written as underscores. */
static int
find_report(struct importer *im, const struct edition_spec *ed, const char *dev,
            char *path, size_t n)
{
	char dir[4096], want[256], have[256];
	struct dirent *de;
	size_t sl = strlen(ed->reports_suffix), i, best = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", im->opt->dir, ed->reports_dir);
	if ((d = opendir(dir)) == NULL)
		return mf_error_set(im->err, MF_E_IO, NULL, "%s: cannot open",
		                    dir);
	snprintf(want, sizeof(want), "%s", dev);
	for (i = 0; want[i]; i++)
		want[i] = want[i] == ' '
		              ? '_'
		              : (char)tolower((unsigned char)want[i]);
	path[0] = '\0';
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name), wl = strlen(want);

		if (len <= sl ||
		    strcmp(de->d_name + len - sl, ed->reports_suffix) != 0 ||
		    len - sl >= sizeof(have))
			continue;
		for (i = 0; i < len - sl; i++)
			have[i] = (char)tolower((unsigned char)de->d_name[i]);
		have[i] = '\0';
		/* "stability_ai" for "Stability", "bigcode_huggingface_..."
		 * for "BigCode"; an exact match wins. */
		if (strcmp(have, want) == 0 || (strncmp(have, want, wl) == 0 &&
		                                have[wl] == '_' && best < 1)) {
			int w = snprintf(path, n, "%s/%s", dir, de->d_name);

			if (w < 0 || (size_t)w >= n) {
				closedir(d);
				return mf_error_set(im->err, MF_E_IO, NULL,
				                    "%s: path too long", dir);
			}
			best = strcmp(have, want) == 0 ? 2 : 1;
		}
	}
	closedir(d);
	return 0;
}

static int
read_report(struct importer *im, const struct edition_spec *ed,
            const char *path, struct dev_data *dd)
{
	struct mf_csv *csv = NULL;
	long c_disc, c_refs, c_score, c_just;
	const char *file = strrchr(path, '/') + 1;
	size_t i, k = 0;
	bool oom = false;
	int rc, score;

	if ((rc = mf_csv_read_file(&csv, path, NULL, im->err)) != 0)
		return rc;
	c_disc = column(csv, "Disclosure");
	c_refs = column(csv, "References");
	c_score = column(csv, "Score");
	c_just = column(csv, "Justification");
	if (c_disc < 0 || c_refs < 0 || c_score < 0 || c_just < 0) {
		rc = bad_data(im, file, 1,
		              "expected Disclosure, References, Score and "
		              "Justification columns");
		goto done;
	}
	for (i = 1; i < csv->n_records; i++) {
		const struct mf_csv_record *r = &csv->records[i];
		struct cell *c;

		if (blank_record(r))
			continue;
		if (k == N_INDICATORS ||
		    r->n_fields != csv->records[0].n_fields) {
			rc =
			    bad_data(im, file, r->line,
			             "expected 100 rows of the header's width");
			goto done;
		}
		/* The first column holds the indicator, whatever its header
		 * says (Adept's reads "Downstream applications"). */
		if ((rc = check_name(im, ed, file, r->line, k, r->fields[0])) !=
		        0 ||
		    (rc = score_of(im, file, r->line, r->fields[c_score],
		                   &score)) != 0)
			goto done;
		c = &dd->cells[k];
		if (score != c->score) {
			rc = bad_data(im, file, r->line,
			              "score differs from the scores file");
			goto done;
		}
		free(c->justification);
		free(c->disclosure);
		free(c->refs);
		c->justification =
		    clean_text(r->fields[c_just], MAX_TEXT, &oom);
		c->disclosure = clean_text(r->fields[c_disc], MAX_TEXT, &oom);
		c->refs = strdup(r->fields[c_refs]);
		c->line = r->line;
		if (oom || c->refs == NULL) {
			rc = mf_error_set(im->err, MF_E_NOMEM, NULL,
			                  "out of memory");
			goto done;
		}
		k++;
	}
	if (k != N_INDICATORS)
		rc = bad_data(im, file, 1, "expected 100 indicator rows");
	dd->has_report = rc == 0;
	snprintf(dd->report_file, sizeof(dd->report_file), "%s", file);
done:
	mf_csv_free(csv);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Documents                                                           */

static int
next_seq(struct importer *im, const char *org, json_int_t *out)
{
	json_int_t n = json_integer_value(json_object_get(im->seqs, org)) + 1;

	*out = n;
	return json_object_set_new(im->seqs, org, json_integer(n)) == 0
	           ? 0
	           : MF_E_NOMEM;
}

static int
add_org(struct importer *im, const char *org, const char *name,
        const char *role)
{
	size_t i;
	json_t *o;

	json_array_foreach(im->orgs, i, o)
	{
		if (strcmp(json_string_value(json_object_get(o, "org")), org) ==
		    0)
			return 0;
	}
	return json_array_append_new(im->orgs,
	                             json_pack("{s:s, s:s, s:s}", "org", org,
	                                       "name", name, "role", role)) == 0
	           ? 0
	           : MF_E_NOMEM;
}

static int
seal(struct mf_fmti_doc *d, json_t *payload)
{
	d->payload = payload;
	if (payload == NULL || (d->bytes = mf_json_dump(payload)) == NULL)
		return MF_E_NOMEM;
	d->len = strlen(d->bytes);
	mf_sha256_hex(d->sha256, d->bytes, d->len);
	return 0;
}

/* {"answer"|"justification": text, "references": [...], "citation"}. */
static json_t *
entry(const char *key, const char *text, const char *refs)
{
	json_t *o = json_object(), *urls = NULL;
	char *citation = NULL;

	if (o == NULL)
		return NULL;
	if (text != NULL && json_object_set_new(o, key, json_string(text)) != 0)
		goto fail;
	if (refs != NULL) {
		if (references(refs, &urls, &citation) != 0)
			goto fail;
		if (urls != NULL &&
		    json_object_set_new(o, "references", urls) != 0)
			goto fail;
		if (citation != NULL &&
		    json_object_set_new(o, "citation", json_string(citation)) !=
		        0)
			goto fail;
		free(citation);
	}
	return o;
fail:
	free(citation);
	json_decref(o);
	return NULL;
}

/* The model's name as the data gives it, or "<developer> flagship model
 * (FMTI <month year>)" when it does not. */
static void
display_name(char *out, size_t n, const struct edition_spec *ed,
             const struct mf_fmti_developer *dev)
{
	if (dev->model_name != NULL)
		snprintf(out, n, "%s", dev->model_name);
	else
		snprintf(out, n, "%s flagship model (FMTI %s)", dev->name,
		         ed->label);
}

/* Who prepared a report: the developer, or for six 2025 reports the FMTI
 * team (see fmti_prepared_2025). */
static const char *
prepared_by(const struct edition_spec *ed, const char *dev)
{
	size_t i;

	if (strcmp(ed->name, "2025") == 0)
		for (i = 0; i < sizeof(fmti_prepared_2025) /
		                    sizeof(fmti_prepared_2025[0]);
		     i++)
			if (strcmp(fmti_prepared_2025[i], dev) == 0)
				return "the FMTI team";
	return dev;
}

/* The upstream path of a file, URL-encoded: a report (its local name,
 * maybe renamed) or, with report NULL, the edition's scores file. */
static void
upstream_path(char *out, size_t n, const struct edition_spec *ed,
              const char *report)
{
	size_t k;

	if (report == NULL) {
		/* "v1.1/May2024_scores.csv" -> "May2024/May2024_scores.csv" */
		const char *base = strchr(ed->scores, '/') + 1;

		snprintf(out, n, "%.*s/%s", (int)strcspn(base, "_"), base,
		         base);
		return;
	}
	for (k = 0; k < sizeof(renamed) / sizeof(renamed[0]); k++)
		if (strcmp(renamed[k].local, report) == 0)
			report = renamed[k].upstream;
	snprintf(out, n, "%s/%s", ed->upstream_reports, report);
}

/*
 * The document's transcribed_from member: data set, edition, file, who
 * wrote the original and on what basis we say so, license, credit.
 */
static json_t *
transcription(const struct edition_spec *ed, const char *report, const char *by,
              bool is_report)
{
	char path[512], url[1024];
	const char *basis;

	upstream_path(path, sizeof(path), ed, report);
	snprintf(url, sizeof(url), "%s%s", SOURCE_BLOB, path);
	if (!is_report)
		basis =
		    "The FMTI team scored every developer (upstream README).";
	else if (strcmp(ed->name, "2025") != 0)
		basis = "The data set's README: developers wrote the May 2024 "
		        "reports and the FMTI team scored them.";
	else
		basis =
		    "Upstream says 7 companies prepared their 2025 reports "
		    "and the FMTI team 6, without naming them; the split is "
		    "derived from upstream's chart 'FMTI Scores by Reporting "
		    "Method, 2025' (FIDELITY.md).";
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	                 "dataset", "Foundation Model Transparency Index",
	                 "edition", ed->name, "file", path, "rows", "1-100",
	                 "url", url, "prepared_by", by, "prepared_by_basis",
	                 basis, "license", "CC-BY-4.0", "attribution",
	                 ATTRIBUTION);
}

/* The developer's answers into the disclosure's own fields, through the
 * edition's crosswalk (fmti_fill.h). */
static int
fill_fields(struct importer *im, const struct edition_spec *ed,
            struct mf_fmti_developer *dev, const struct dev_data *dd,
            json_t *doc)
{
	struct mf_fmti_answer answers[N_INDICATORS];
	struct mf_fmti_fill_ctx ctx;
	char path[512], url[1024];
	size_t k;

	upstream_path(path, sizeof(path), ed, dd->report_file);
	snprintf(url, sizeof(url), "%s%s?plain=1", SOURCE_BLOB, path);
	for (k = 0; k < N_INDICATORS; k++) {
		answers[k].text = dd->cells[k].disclosure;
		answers[k].references = dd->cells[k].refs;
		answers[k].line = dd->cells[k].line;
	}
	ctx.edition = ed->name;
	ctx.developer = dev->name;
	ctx.prepared_by = prepared_by(ed, dev->name);
	ctx.row_url = url;
	return mf_fmti_fill(doc, im->fill, answers, &ctx, &dev->fill_report);
}

static int
build_docs(struct importer *im, const struct edition_spec *ed,
           struct mf_fmti_developer *dev, struct dev_data *dd)
{
	json_t *answers = NULL, *scores = NULL, *doc, *e;
	json_int_t seq;
	char name[256], desc[512];
	size_t k;
	int rc;

	if (dd->has_report) {
		if ((answers = json_object()) == NULL)
			return MF_E_NOMEM;
		for (k = 0; k < N_INDICATORS; k++) {
			if (dd->cells[k].disclosure == NULL)
				continue;
			e = entry("answer", dd->cells[k].disclosure,
			          dd->cells[k].refs);
			if (e == NULL ||
			    json_object_set_new(answers, im->inds[k].id, e)) {
				json_decref(answers);
				return MF_E_NOMEM;
			}
		}
	}
	if (answers != NULL && json_object_size(answers) > 0) {
		if ((rc = next_seq(im, MF_FMTI_CURATOR, &seq)) != 0) {
			json_decref(answers);
			return rc;
		}
		display_name(name, sizeof(name), ed, dev);
		snprintf(desc, sizeof(desc),
		         "The transparency report for %s in the Foundation "
		         "Model Transparency Index, %s edition (%s), prepared "
		         "by %s; transcribed from the FMTI data set (CC BY "
		         "4.0), not signed by its authors.",
		         dev->name, ed->name, ed->label,
		         prepared_by(ed, dev->name));
		doc = json_pack(
		    "{s:s, s:s, s:{s:s, s:s}, s:s, s:I, s:n, "
		    "s:{s:s, s:s, s:s}, s:{s:o}}",
		    "type", "disclosure", "registry",
		    im->opt->registry != NULL ? im->opt->registry
		                              : MF_FMTI_DEFAULT_REGISTRY,
		    "subject", "org", dev->org, "model", dev->model,
		    "issued_at", im->issued_at, "seq", seq, "supersedes",
		    "identity", "name", name, "developer", dev->name,
		    "description", desc, "indices", ed->index_id, answers);
		if (doc == NULL)
			return MF_E_NOMEM;
		if (json_object_set_new(
		        doc, "transcribed_from",
		        transcription(ed, dd->report_file,
		                      prepared_by(ed, dev->name), true)) != 0) {
			json_decref(doc);
			return MF_E_NOMEM;
		}
		if (im->fill != NULL &&
		    (rc = fill_fields(im, ed, dev, dd, doc)) != 0) {
			json_decref(doc);
			return rc;
		}
		if ((rc = seal(&dev->disclosure, doc)) != 0)
			return rc;
	} else {
		json_decref(answers);
	}

	if ((scores = json_object()) == NULL)
		return MF_E_NOMEM;
	for (k = 0; k < N_INDICATORS; k++) {
		e = entry("justification", dd->cells[k].justification,
		          dd->has_report ? NULL : dd->cells[k].refs);
		if (e == NULL ||
		    json_object_set_new(e, "score",
		                        json_integer(dd->cells[k].score)) ||
		    json_object_set_new(scores, im->inds[k].id, e)) {
			json_decref(e);
			json_decref(scores);
			return MF_E_NOMEM;
		}
	}
	if ((rc = next_seq(im, MF_FMTI_CURATOR, &seq)) != 0) {
		json_decref(scores);
		return rc;
	}
	display_name(name, sizeof(name), ed, dev);
	doc = json_pack(
	    "{s:s, s:s, s:{s:s, s:s}, s:s, s:I, s:s, s:s, s:s, s:s, s:s, "
	    "s:s, s:o}",
	    "type", "assessment", "registry",
	    im->opt->registry != NULL ? im->opt->registry
	                              : MF_FMTI_DEFAULT_REGISTRY,
	    "subject", "org", dev->org, "model", dev->model, "issued_at",
	    im->issued_at, "seq", seq, "index", ed->index_id, "edition",
	    ed->name, "assessed_on", ed->assessed_on, "model_name", name,
	    "method",
	    "Published scores of the Foundation Model Transparency Index: "
	    "each indicator is awarded 1 when the information is "
	    "disclosed as the indicator defines, else 0.",
	    "source", SOURCE_URL, "scores", scores);
	/* the grading is the FMTI assessors'; the curator only signs it */
	if (doc != NULL &&
	    json_object_set_new(doc, "assessor",
	                        json_string(MF_FMTI_ASSESSOR)) != 0) {
		json_decref(doc);
		doc = NULL;
	}
	if (doc != NULL &&
	    json_object_set_new(
	        doc, "transcribed_from",
	        transcription(ed, NULL, "the FMTI team", false)) != 0) {
		json_decref(doc);
		doc = NULL;
	}
	if (doc != NULL && dev->disclosure.payload != NULL) {
		char ref[80];

		snprintf(ref, sizeof(ref), "sha256:%s", dev->disclosure.sha256);
		json_object_set_new(json_object_get(doc, "subject"),
		                    "disclosure", json_string(ref));
	}
	return seal(&dev->assessment, doc);
}

/* ------------------------------------------------------------------ */

static int
import_edition(struct importer *im, const struct edition_spec *ed,
               struct mf_fmti_edition *out)
{
	struct mf_csv *sc = NULL;
	struct dev_data *dd = NULL;
	long c_ind, c_total;
	size_t i, j, n_dev = 0, k = 0, *cols = NULL;
	const struct mf_csv_record *total_row = NULL;
	char path[4096];
	int rc;

	out->name = ed->name;
	out->label = ed->label;
	free(im->fill);
	im->fill = NULL;
	if (ed->crosswalk != NULL &&
	    (rc = mf_fmti_crosswalk_load(&im->fill, ed->crosswalk, im->err)) !=
	        0)
		goto done;
	if ((rc = build_index(im, ed, &out->index)) != 0 ||
	    (rc = read_csv(im, ed->scores, &sc)) != 0)
		goto done;
	c_ind = column(sc, "Indicator");
	c_total = column(sc, "Total");
	if (c_ind < 0) {
		rc = bad_data(im, ed->scores, 1, "no Indicator column");
		goto done;
	}
	/* Developer columns: every column after Indicator but Total. */
	cols = calloc(sc->records[0].n_fields, sizeof(*cols));
	if (cols == NULL) {
		rc = MF_E_NOMEM;
		goto done;
	}
	for (j = (size_t)c_ind + 1; j < sc->records[0].n_fields; j++)
		if ((long)j != c_total)
			cols[n_dev++] = j;
	out->devs = calloc(n_dev, sizeof(*out->devs));
	dd = calloc(n_dev, sizeof(*dd));
	if (out->devs == NULL || dd == NULL) {
		rc = MF_E_NOMEM;
		goto done;
	}
	out->n_devs = n_dev;
	for (i = 1; i < sc->n_records; i++) {
		const struct mf_csv_record *r = &sc->records[i];
		char *ind;

		if (blank_record(r))
			continue;
		if (r->n_fields != sc->records[0].n_fields) {
			rc = bad_data(im, ed->scores, r->line,
			              "row width differs from the header");
			goto done;
		}
		if ((ind = trimmed(r->fields[c_ind])) == NULL) {
			rc = MF_E_NOMEM;
			goto done;
		}
		if (strcmp(ind, "Total") == 0) {
			free(ind);
			total_row = r;
			continue;
		}
		rc = k < N_INDICATORS
		         ? check_name(im, ed, ed->scores, r->line, k, ind)
		         : bad_data(im, ed->scores, r->line,
		                    "more than 100 indicator rows");
		free(ind);
		if (rc != 0)
			goto done;
		for (j = 0; j < n_dev; j++)
			if ((rc = score_of(im, ed->scores, r->line,
			                   r->fields[cols[j]],
			                   &dd[j].cells[k].score)) != 0)
				goto done;
		k++;
	}
	if (k != N_INDICATORS) {
		rc = bad_data(im, ed->scores, 1, "expected 100 indicator rows");
		goto done;
	}
	for (j = 0; j < n_dev; j++) {
		struct mf_fmti_developer *dev = &out->devs[j];
		const char *pub = sc->records[0].fields[cols[j]];
		char slug[64];
		const char *canon = NULL;
		size_t a;

		dev->published_total = -1;
		for (a = 0; a < sizeof(aliases) / sizeof(aliases[0]); a++)
			if (strcmp(aliases[a].published, pub) == 0)
				break;
		if (a < sizeof(aliases) / sizeof(aliases[0])) {
			snprintf(slug, sizeof(slug), "%s", aliases[a].org);
			canon = aliases[a].name;
		} else {
			mf_fmti_slug(slug, pub);
		}
		if ((dev->name = trimmed(pub)) == NULL) {
			rc = MF_E_NOMEM;
			goto done;
		}
		dev->org = strdup(slug);
		if (model_name_of(ed, dev->name) != NULL) {
			char mslug[64];

			mf_fmti_slug(mslug, model_name_of(ed, dev->name));
			dev->model_name = strdup(model_name_of(ed, dev->name));
			dev->model = strdup(mslug);
		} else {
			dev->model = strdup(ed->model);
		}
		dev->legacy_model = strdup(ed->model);
		if (dev->name == NULL || dev->org == NULL ||
		    dev->model == NULL || dev->legacy_model == NULL ||
		    (model_name_of(ed, dev->name) != NULL &&
		     dev->model_name == NULL)) {
			rc = MF_E_NOMEM;
			goto done;
		}
		if (!slug[0]) {
			rc =
			    bad_data(im, ed->scores, 1, "empty developer name");
			goto done;
		}
		if (total_row != NULL) {
			char *end;
			long t = strtol(total_row->fields[cols[j]], &end, 10);

			if (*end != '\0' || t < 0 || t > N_INDICATORS) {
				rc = bad_data(im, ed->scores, total_row->line,
				              "bad Total");
				goto done;
			}
			dev->published_total = (int)t;
		}
		if ((rc = add_org(im, slug, canon != NULL ? canon : dev->name,
		                  "developer")) != 0)
			goto done;
		if (ed->justifications != NULL &&
		    (rc = read_justifications(im, ed, pub, &dd[j])) != 0)
			goto done;
		if (ed->reports_dir != NULL) {
			if ((rc = find_report(im, ed, dev->name, path,
			                      sizeof(path))) != 0)
				goto done;
			if (path[0] != '\0' &&
			    (rc = read_report(im, ed, path, &dd[j])) != 0)
				goto done;
		}
		if ((rc = build_docs(im, ed, dev, &dd[j])) != 0)
			goto done;
	}
done:
	for (j = 0; dd != NULL && j < n_dev; j++)
		dev_data_dispose(&dd[j]);
	free(dd);
	free(cols);
	mf_csv_free(sc);
	if (rc == MF_E_NOMEM)
		mf_error_set(im->err, rc, NULL, "out of memory");
	return rc;
}

static void
doc_dispose(struct mf_fmti_doc *d)
{
	json_decref(d->payload);
	free(d->bytes);
}

void
mf_fmti_import_free(struct mf_fmti_import *imp)
{
	size_t e, j;

	if (imp == NULL)
		return;
	for (e = 0; e < MF_FMTI_EDITIONS; e++) {
		struct mf_fmti_edition *ed = &imp->editions[e];

		for (j = 0; j < ed->n_devs; j++) {
			free(ed->devs[j].name);
			free(ed->devs[j].org);
			free(ed->devs[j].model);
			free(ed->devs[j].model_name);
			free(ed->devs[j].legacy_model);
			doc_dispose(&ed->devs[j].disclosure);
			doc_dispose(&ed->devs[j].assessment);
			json_decref(ed->devs[j].fill_report);
		}
		free(ed->devs);
		json_decref(ed->index);
	}
	json_decref(imp->orgs);
	free(imp);
}

int
mf_fmti_import(struct mf_fmti_import **out, const struct mf_fmti_options *opt,
               struct mf_error *err)
{
	struct mf_fmti_import *imp = NULL;
	struct importer im;
	size_t e, k;
	int rc;

	*out = NULL;
	memset(&im, 0, sizeof(im));
	im.opt = opt;
	im.err = err;
	mf_time_format_s(
	    im.issued_at, sizeof(im.issued_at),
	    (opt->issued_at_ms != 0 ? opt->issued_at_ms : mf_time_now_ms()) /
	        1000);
	im.seqs = json_object();
	im.orgs = json_array();
	imp = calloc(1, sizeof(*imp));
	if (im.seqs == NULL || im.orgs == NULL || imp == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	/* The crosswalk only strengthens the row checks of v1 files: without
	 * it rows are matched by position and by the definitions' names. */
	{
		struct mf_error cw_err;
		char path[4096];

		mf_error_init(&cw_err);
		snprintf(path, sizeof(path), "%s/%s", opt->dir, CROSSWALK);
		if (mf_csv_read_file(&im.crosswalk, path, NULL, &cw_err) != 0)
			im.crosswalk = NULL;
		mf_error_dispose(&cw_err);
	}
	for (e = 0; e < MF_FMTI_EDITIONS; e++)
		if ((rc = import_edition(&im, &editions[e],
		                         &imp->editions[e])) != 0)
			goto done;
	if ((rc = add_org(&im, MF_FMTI_ASSESSOR,
	                  "Foundation Model Transparency Index", "assessor")) !=
	        0 ||
	    (rc = add_org(&im, MF_FMTI_CURATOR,
	                  "FMTI transcriptions (registry importer)",
	                  "curator")) != 0) {
		mf_error_set(err, rc, NULL, "out of memory");
		goto done;
	}
	imp->orgs = im.orgs;
	im.orgs = NULL;
	*out = imp;
	imp = NULL;
done:
	for (k = 0; k < N_INDICATORS; k++)
		free(im.inds[k].name);
	mf_csv_free(im.crosswalk);
	free(im.fill);
	json_decref(im.seqs);
	json_decref(im.orgs);
	mf_fmti_import_free(imp);
	return rc;
}
