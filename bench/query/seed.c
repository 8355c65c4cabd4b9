/*
 * bench/query's seeder: fills a registry through its real HTTP API with
 * MODELS models x VERSIONS signed disclosure versions, self-reported and
 * third-party eval results and modelfacts-v1 assessments, built from the
 * three example disclosures as templates and varied deterministically
 * (names, organisations, descriptions, modalities, access, licenses,
 * release dates, parameter counts, data sizes, energy; some of them
 * withheld or unknown), so that every filter, sort and free-text query of
 * GET /v1/models has something to find and something to leave out.
 *
 * usage: seed URL ADMIN_TOKEN EXAMPLES_DIR MODELS VERSIONS THREADS
 *
 * Developer organisations (MODELS / 50, 2 to 200) each sign their own
 * chain (seq strictly increasing), one thread per organisation at a time:
 * version 1 of every model, then version 2 of every model, ..., then the
 * self-reported evals. Then three evaluators and two assessors, one thread
 * each. Prints one JSON line of counts and rates; exits 1 on any refusal.
 */
#define _GNU_SOURCE 1 /* strcasestr */
#include "common/digest.h"
#include "common/doctype.h"
#include "common/json.h"
#include "common/timeutil.h"
#include "envelope/keys.h"
#include "envelope/verify.h"

#include "bench/query/http1.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#define N_EVALUATORS 3
#define N_ASSESSORS 2

static const char *url, *token;
static json_t *tpl_open, *tpl_api, *tpl_sparse, *indicators;
static int n_models, n_versions, n_orgs, n_threads;
static char now_s[40], today[16];
static int64_t today_days;
static atomic_int n_ok, n_fail, next_org;
static atomic_int n_disc, n_self, n_third, n_assess;

struct model {
	char slug[160];
	char name[120];
	char head[72]; /* sha256:<hex> of the current version's payload */
	char version[16];
	int params_b10; /* log10 of parameters x 10, for eval values */
	double quality;  /* 0..1: how good its eval results are */
	double params;   /* parameter count, matching the name's size */
};

struct org {
	char slug[64], name[120];
	struct mf_key *key;
	int64_t seq;
	struct model *models;
	int n;
};

static struct org *orgs;

/* ------------------------------------------------------------------ */
/* Deterministic variety                                               */

static uint64_t
rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static double
unif(uint64_t *s)
{
	return (double)(rnd(s) >> 11) / 9007199254740992.0;
}

#define PICK(s, a) (a[rnd(s) % (sizeof(a) / sizeof(a[0]))])

static const char *const stems[] = {
    "Granite", "Fernbrook", "Atlas", "Orion", "Cedar", "Lumen", "Nimbus",
    "Quartz", "Halcyon", "Kestrel", "Marlin", "Osprey", "Juniper", "Aurora",
    "Basalt", "Cobalt", "Drift", "Ember", "Falcon", "Glacier", "Heron",
    "Iris", "Jasper", "Kite", "Lark", "Mistral", "Nova", "Onyx", "Pioneer",
    "Quill", "Raven", "Sierra", "Tundra", "Umbra", "Vega", "Willow",
    "Xenon", "Yarrow", "Zephyr", "Alder", "Birch", "Comet", "Delta",
    "Echo", "Fjord", "Garnet", "Harbor", "Indigo", "Jade", "Kelp", "Lotus",
    "Maple", "Nectar", "Opal", "Prism", "Quasar", "Ridge", "Saffron",
    "Tidal", "Vertex"};
static const char *const variants[] = {
    "Instruct", "Chat", "Base", "Coder", "Vision", "Reason", "Mini", "Pro",
    "Lite", "Med", "Law", "Speech", "Embed", "Agent", "Math", "Translate"};
static const char *const org_words[] = {
    "Larchwood", "Meridian", "Quillon", "Northwind", "Bluefin", "Copperleaf",
    "Stonegate", "Riverbend", "Silverline", "Oakridge", "Brightwater",
    "Ironbark", "Moonstone", "Redwood", "Sunspire", "Thornfield",
    "Westbrook", "Ashgrove", "Blackpine", "Clearview", "Deepfield",
    "Eastmoor", "Foxglove", "Greystone", "Highmark", "Kingsley",
    "Lakeshore", "Millbrook", "Newhaven", "Pinecrest", "Rosehill",
    "Seabright", "Tallwood", "Upland", "Valemont", "Whitecliff", "Yewtree",
    "Zenith", "Amberly", "Bramble"};
static const char *const org_kinds[] = {
    "Labs", "AI", "Systems", "Research", "Technologies", "Intelligence",
    "Institute", "Computing", "Collective", "Foundation"};
static const char *const org_forms[] = {"Inc.", "Ltd.", "GmbH", "e.V.",
                                        "S.A.", "B.V.", "Oy", "K.K."};
static const char *const uses[] = {
    "customer-support assistants", "multilingual translation",
    "code completion and review", "medical question answering",
    "legal document analysis", "scientific literature search",
    "financial report summarisation", "education and tutoring",
    "speech transcription", "image captioning and visual question answering",
    "retrieval-augmented enterprise search", "agentic workflows with tools",
    "mathematical reasoning", "content moderation",
    "structured data extraction from forms", "creative writing"};
static const char *const traits[] = {
    "trained mostly on openly licensed text", "with a long context window",
    "distilled from a larger teacher model", "tuned with human feedback",
    "built for low-latency serving on a single GPU",
    "with strong results on European languages",
    "aligned with a published constitution", "quantised for edge devices",
    "trained on synthetic reasoning traces",
    "released with its full training recipe"};
static const char *const spdx[] = {"Apache-2.0", "MIT", "CC-BY-4.0",
                                   "BSD-3-Clause", "OpenRAIL-M", "Llama-like"};

struct modal {
	const char *in[4], *out[4];
};
static const struct modal modals[] = {
    {{"text"}, {"text"}},
    {{"text"}, {"text"}},
    {{"text"}, {"text"}},
    {{"text", "image"}, {"text"}},
    {{"text", "image"}, {"text"}},
    {{"text", "code"}, {"text", "code"}},
    {{"text", "image", "audio"}, {"text", "audio"}},
    {{"audio"}, {"text"}},
    {{"text"}, {"image"}},
    {{"text"}, {"embeddings"}},
    {{"text", "image", "video"}, {"text"}},
};

static json_t *
strs(const char *const *a)
{
	json_t *r = json_array();

	for (; *a != NULL; a++)
		json_array_append_new(r, json_string(*a));
	return r;
}

static void
date_str(char *out, size_t cap, int64_t days)
{
	time_t t = (time_t)(days * 86400);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, cap, "%Y-%m-%d", &tm);
}

static void
slugify(char *out, size_t cap, const char *in)
{
	size_t n = 0;
	int dash = 0;

	for (; *in && n + 2 < cap; in++) {
		if ((*in >= 'a' && *in <= 'z') || (*in >= '0' && *in <= '9')) {
			out[n++] = *in;
			dash = 0;
		} else if (*in >= 'A' && *in <= 'Z') {
			out[n++] = (char)(*in - 'A' + 'a');
			dash = 0;
		} else if (!dash && n > 0) {
			out[n++] = '-';
			dash = 1;
		}
	}
	while (n > 0 && out[n - 1] == '-')
		n--;
	out[n] = '\0';
}

static json_t *
withheld(uint64_t *s)
{
	return json_pack("{s:s}", "status",
	                 unif(s) < 0.5 ? "withheld" : "unknown");
}

/* Set a[0]/a[1]/... = v when every parent is a plain object (a field that
 * is a status wrapper in the template stays as it is). */
static void
put(json_t *doc, const char *a, const char *b, json_t *v)
{
	json_t *o = json_object_get(doc, a);

	if (json_is_object(o) && json_object_get(o, "status") == NULL)
		json_object_set_new(o, b, v);
	else
		json_decref(v);
}

/* ------------------------------------------------------------------ */
/* Documents                                                           */

static json_t *
disclosure(struct org *o, int mi, int ver, uint64_t *s)
{
	struct model *m = &o->models[mi];
	uint64_t ms = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)(o - orgs) << 20) ^
	              (uint64_t)mi; /* the model's fixed traits */
	int kind, k;
	double params, q;
	int64_t rel;
	char d1[16], d2[16], d3[16], desc[1200], doc_url[300], lic[160];
	const struct modal *md;
	const char *access;
	json_t *doc, *tpl;

	for (k = 0; k < 4; k++)
		rnd(&ms);
	kind = (int)(rnd(&ms) % 10);
	access = kind < 4 ? "open_weights"
	         : kind < 5 ? "gated_weights"
	         : kind < 8 ? "api"
	         : kind < 9 ? "hosted_product"
	                    : "closed";
	tpl = kind < 5 ? tpl_open : kind < 8 ? tpl_api : tpl_sparse;
	md = &modals[rnd(&ms) % (sizeof(modals) / sizeof(modals[0]))];
	params = m->params;
	/* release of version 1 between 2019-01 and 2025-12; every version
	 * 20 to 120 days after the previous one */
	rel = 17897 + (int64_t)(unif(&ms) * 2520.0);
	for (k = 1; k < ver; k++)
		rel += 20 + (int64_t)(rnd(&ms) % 100);
	if (rel > today_days - 1)
		rel = today_days - 1;
	m->params_b10 = (int)(log10(params) * 10);
	m->quality = unif(&ms);
	snprintf(m->version, sizeof(m->version), "1.%d", ver - 1);

	doc = json_deep_copy(tpl);
	json_object_set_new(doc, "registry", json_string("modelfacts.localhost"));
	json_object_set_new(doc, "subject", json_pack("{s:s,s:s}", "org", o->slug,
	                                              "model", m->slug));
	json_object_set_new(doc, "issued_at", json_string(now_s));
	json_object_set_new(doc, "seq", json_integer(++o->seq));
	json_object_set_new(doc, "supersedes",
	                    ver > 1 ? json_string(m->head) : json_null());

	snprintf(desc, sizeof(desc),
	         "%s is a %.1fB-parameter model from %s for %s, %s. Version %s "
	         "%s. It is also suited to %s.",
	         m->name, params / 1e9, o->name, uses[rnd(&ms) % 16],
	         traits[rnd(&ms) % 10], m->version,
	         ver == 1 ? "is the first public release"
	                  : "improves instruction following and safety",
	         uses[rnd(&ms) % 16]);
	snprintf(doc_url, sizeof(doc_url), "https://%s.example.com/models/%s",
	         o->slug, m->slug);
	date_str(d1, sizeof(d1), rel);
	put(doc, "identity", "name", json_string(m->name));
	put(doc, "identity", "version", json_string(m->version));
	put(doc, "identity", "developer", json_string(o->name));
	put(doc, "identity", "description", json_string(desc));
	put(doc, "identity", "release_date", json_string(d1));
	put(doc, "identity", "documentation",
	    json_pack("[s,s]", doc_url, "https://docs.example.com/model-card"));
	put(doc, "identity", "base_models",
	    json_pack("{s:s,s:s}", "status", "not_applicable", "explanation",
	              "Trained from random initialisation."));

	/* later versions disclose more: the chance of withholding a figure
	 * falls with the version */
	q = 0.45 - 0.07 * ver;
	put(doc, "model", "parameters",
	    unif(s) < q ? withheld(s)
	                : json_pack("{s:f,s:s,s:s}", "amount", params, "unit",
	                            "parameters", "basis", "exact"));
	put(doc, "model", "modalities",
	    json_pack("{s:o,s:o}", "input", strs(md->in), "output",
	              strs(md->out)));
	put(doc, "distribution", "access", json_string(access));
	if (kind < 5) {
		put(doc, "distribution", "license",
		    json_pack("{s:s}", "spdx", spdx[rnd(&ms) % 6]));
	} else if (unif(s) < 0.7) {
		snprintf(lic, sizeof(lic), "%s Commercial Terms", o->name);
		put(doc, "distribution", "license",
		    json_pack("{s:s,s:s}", "name", lic, "url", doc_url));
	} else {
		put(doc, "distribution", "license", withheld(s));
	}
	put(doc, "data", "size",
	    unif(s) < q + 0.1
	        ? withheld(s)
	        : json_pack("{s:f,s:s,s:s}", "amount",
	                    floor(params * (20 + 200 * unif(&ms)) / 1e9) * 1e9,
	                    "unit", "tokens", "basis", "estimated"));
	put(doc, "compute", "energy",
	    unif(s) < q + 0.2
	        ? withheld(s)
	        : json_pack("{s:i,s:s,s:s}", "amount",
	                    (int)(1 + params / 1e9 * (2 + 40 * unif(&ms))), "unit",
	                    "MWh", "basis", "measured"));
	/* dates that agree with the release */
	date_str(d2, sizeof(d2), rel - 300);
	date_str(d3, sizeof(d3), rel - 40);
	put(doc, "training", "start_date", json_string(d2));
	put(doc, "training", "end_date", json_string(d3));
	if (json_is_string(json_object_get(json_object_get(doc, "data"),
	                                   "cutoff")))
		put(doc, "data", "cutoff", json_string(d2));
	{
		json_t *dep = json_object_get(json_object_get(doc, "downstream"),
		                              "deprecation");
		if (json_is_object(dep) &&
		    json_object_get(dep, "end_of_support") != NULL) {
			date_str(d2, sizeof(d2), rel + 730);
			json_object_set_new(dep, "end_of_support",
			                    json_string(d2));
		}
	}
	return doc;
}

struct bench {
	const char *id, *name, *metric, *scale;
	double lo, hi; /* value range on that scale */
	int lower_is_better;
};
static const struct bench benches[] = {
    {"mmlu-pro", "MMLU-Pro", "accuracy", "fraction", 0.2, 0.85, 0},
    {"gpqa", "GPQA", "accuracy", "percent", 25, 75, 0},
    {"humaneval", "HumanEval", "pass@1", "fraction", 0.1, 0.95, 0},
    {"swe-bench-verified", "SWE-bench Verified", "resolved", "percent", 2,
     70, 0},
    {"wikitext-103", "WikiText-103", "perplexity", "non_negative", 4, 30, 1},
    {"toxigen", "ToxiGen", "toxicity-rate", "fraction", 0.01, 0.3, 1},
};
#define N_BENCHES ((int)(sizeof(benches) / sizeof(benches[0])))

static json_t *
eval_result(struct org *by, struct org *o, int mi, int bi, int third,
            uint64_t *s)
{
	const struct bench *b = &benches[bi];
	struct model *m = &o->models[mi];
	double q = m->quality, v;
	char on[16];

	if (b->lower_is_better)
		q = 1 - q;
	v = b->lo + (b->hi - b->lo) * q;
	/* third parties measure close to the developer's figure, some
	 * well below it (a disagreement) */
	if (third)
		v *= unif(s) < 0.15 ? 0.85 : 0.98 + 0.04 * unif(s);
	if (strcmp(b->scale, "fraction") == 0 && v > 1)
		v = 1;
	if (strcmp(b->scale, "percent") == 0 && v > 100)
		v = 100;
	v = round(v * 1000) / 1000;
	date_str(on, sizeof(on), today_days - 1 - (int64_t)(rnd(s) % 300));
	return json_pack(
	    "{s:s,s:s,s:{s:s,s:s,s:s},s:s,s:I,s:s,s:{s:s,s:s},"
	    "s:{s:s,s:s,s:b},s:f,s:i,s:s,s:s,s:{s:s,s:s}}",
	    "type", "eval-result", "registry", "modelfacts.localhost", "subject",
	    "org", o->slug, "model", m->slug, "disclosure", m->head, "issued_at",
	    now_s, "seq", (json_int_t)++by->seq, "model_version", m->version,
	    "benchmark", "id", b->id, "name", b->name, "metric", "name",
	    b->metric, "scale", b->scale, "lower_is_better",
	    b->lower_is_better, "value", v, "samples",
	    500 + (int)(rnd(s) % 5000), "evaluated_on", on, "assurance",
	    third ? "third_party" : "self_reported", "harness", "name",
	    third ? "open-eval-harness" : "in-house-evals", "version", "1.4");
}

static json_t *
assessment(struct org *by, struct org *o, int mi, uint64_t *s)
{
	struct model *m = &o->models[mi];
	json_t *scores = json_object();
	size_t i, n = json_array_size(indicators);
	double p_graded = 0.2 + 0.6 * unif(s), p_met = 0.2 + 0.7 * m->quality;
	char on[16], src[300];

	for (i = 0; i < n; i++) {
		if (unif(s) >= p_graded)
			continue;
		json_object_set_new(
		    scores, json_string_value(json_array_get(indicators, i)),
		    json_pack("{s:i,s:s}", "score", unif(s) < p_met ? 1 : 0,
		              "justification",
		              "Graded from the disclosure and the model card."));
	}
	if (json_object_size(scores) == 0)
		json_object_set_new(scores, "data-size",
		                    json_pack("{s:i}", "score", 0));
	date_str(on, sizeof(on), today_days - 1 - (int64_t)(rnd(s) % 60));
	snprintf(src, sizeof(src), "https://%s.example.org/reports/%s/%s",
	         by->slug, o->slug, m->slug);
	return json_pack("{s:s,s:s,s:{s:s,s:s,s:s},s:s,s:I,s:s,s:s,s:s,s:s,"
	                 "s:s,s:s,s:o}",
	                 "type", "assessment", "registry", "modelfacts.localhost",
	                 "subject", "org", o->slug, "model", m->slug,
	                 "disclosure", m->head, "issued_at", now_s, "seq",
	                 (json_int_t)++by->seq, "index", "modelfacts-v1",
	                 "edition", "2026-winter", "assessed_on", on,
	                 "model_name", m->name, "method",
	                 "One assessor read the disclosure and the linked "
	                 "documentation; a second checked every zero.",
	                 "source", src, "scores", scores);
}

/* ------------------------------------------------------------------ */
/* Submitting                                                          */

static int
submit(struct h1 *c, struct org *by, enum mf_doctype t, json_t *doc,
       char *digest_out)
{
	struct mf_error err;
	char *payload = json_dumps(doc, JSON_COMPACT), *env = NULL;
	char hex[65];
	int st, tries;

	mf_error_init(&err);
	json_decref(doc);
	mf_sha256_hex(hex, payload, strlen(payload));
	if (digest_out != NULL)
		snprintf(digest_out, 72, "sha256:%s", hex);
	if (mf_dsse_sign(&env, by->key, mf_doctype_payload_type(t),
	                 (const uint8_t *)payload, strlen(payload), NULL,
	                 &err) != 0) {
		fprintf(stderr, "seed: cannot sign\n");
		exit(1);
	}
	for (tries = 0; tries < 3; tries++) {
		st = h1_request(c, "POST", "/v1/submissions",
		                "Content-Type: application/json\r\n", env,
		                strlen(env));
		if (st != 0)
			break;
	}
	if (st == 201 || st == 200) {
		n_ok++;
	} else if (n_fail++ < 5) {
		fprintf(stderr, "seed: %s/%d: %d %.*s\n", by->slug, (int)by->seq,
		        st, (int)(c->body_len < 2000 ? c->body_len : 2000),
		        c->body ? c->body : "");
	}
	free(env);
	free(payload);
	return st == 201 || st == 200 ? 0 : -1;
}

static int
register_org(struct org *o, const char *role)
{
	struct h1 c;
	char *pem = NULL, *body, auth[512];
	json_t *req;
	struct mf_error err;
	int st;

	mf_error_init(&err);
	if (mf_key_generate(&o->key, MF_KEY_ED25519, &err) != 0 ||
	    mf_key_public_pem(o->key, &pem) != 0)
		return -1;
	req = json_pack("{s:s,s:s,s:s,s:s}", "org", o->slug, "name", o->name,
	                "role", role, "public_key", pem);
	body = json_dumps(req, JSON_COMPACT);
	snprintf(auth, sizeof(auth),
	         "Authorization: Bearer %s\r\nContent-Type: application/json\r\n",
	         token);
	if (h1_open(&c, url) != 0)
		return -1;
	st = h1_request(&c, "POST", "/v1/admin/orgs", auth, body, strlen(body));
	if (st != 201)
		fprintf(stderr, "seed: cannot register %s: %d %s\n", o->slug, st,
		        c.body ? c.body : "");
	h1_close(&c);
	free(body);
	free(pem);
	json_decref(req);
	return st == 201 ? 0 : -1;
}

static void *
developer_thread(void *arg)
{
	struct h1 c;
	int i, v, mi, b;

	(void)arg;
	if (h1_open(&c, url) != 0)
		return NULL;
	while ((i = atomic_fetch_add(&next_org, 1)) < n_orgs) {
		struct org *o = &orgs[i];
		uint64_t s = 0x1234567ULL + (uint64_t)i * 7919;

		for (v = 1; v <= n_versions; v++)
			for (mi = 0; mi < o->n; mi++)
				if (submit(&c, o, MF_DOC_DISCLOSURE,
				           disclosure(o, mi, v, &s),
				           o->models[mi].head) == 0)
					n_disc++;
		/* 70% of the models publish two of their own eval results */
		for (mi = 0; mi < o->n; mi++) {
			if (unif(&s) >= 0.7)
				continue;
			b = (int)(rnd(&s) % N_BENCHES);
			if (submit(&c, o, MF_DOC_EVAL_RESULT,
			           eval_result(o, o, mi, b, 0, &s), NULL) == 0)
				n_self++;
			b = (b + 1 + (int)(rnd(&s) % (N_BENCHES - 1))) % N_BENCHES;
			if (submit(&c, o, MF_DOC_EVAL_RESULT,
			           eval_result(o, o, mi, b, 0, &s), NULL) == 0)
				n_self++;
		}
	}
	h1_close(&c);
	return NULL;
}

/* An evaluator (third-party evals of 35% of the models, one or two
 * benchmarks each) or an assessor (25% of the models). */
static void *
judge_thread(void *arg)
{
	struct org *by = arg;
	int assessor = strstr(by->name, "Assess") != NULL ||
	               strstr(by->name, "Watch") != NULL;
	uint64_t s = 0xabcdef12345ULL ^ (uint64_t)(uintptr_t)by->slug[0] ^
	             (uint64_t)strlen(by->slug) << 32;
	struct h1 c;
	int i, mi;

	if (h1_open(&c, url) != 0)
		return NULL;
	for (i = 0; i < n_orgs; i++) {
		for (mi = 0; mi < orgs[i].n; mi++) {
			double p = unif(&s);

			if (assessor) {
				if (p < 0.25 &&
				    submit(&c, by, MF_DOC_ASSESSMENT,
				           assessment(by, &orgs[i], mi, &s),
				           NULL) == 0)
					n_assess++;
				continue;
			}
			if (p >= 0.35)
				continue;
			if (submit(&c, by, MF_DOC_EVAL_RESULT,
			           eval_result(by, &orgs[i], mi,
			                       (int)(rnd(&s) % N_BENCHES), 1, &s),
			           NULL) == 0)
				n_third++;
			if (p < 0.15 &&
			    submit(&c, by, MF_DOC_EVAL_RESULT,
			           eval_result(by, &orgs[i], mi,
			                       (int)(rnd(&s) % N_BENCHES), 1, &s),
			           NULL) == 0)
				n_third++;
		}
	}
	h1_close(&c);
	return NULL;
}

static json_t *
load(const char *dir, const char *name)
{
	char p[1024];
	json_error_t je;
	json_t *j;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if ((j = json_load_file(p, 0, &je)) == NULL) {
		fprintf(stderr, "seed: %s: %s\n", p, je.text);
		exit(2);
	}
	return j;
}

int
main(int argc, char **argv)
{
	static const char *const ev_names[N_EVALUATORS] = {
	    "Open Eval Lab", "Safety Bench Institute", "Independent Evals Co"};
	static const char *const as_names[N_ASSESSORS] = {
	    "Transparency Watch", "AI Assessment Collective"};
	struct org judges[N_EVALUATORS + N_ASSESSORS];
	pthread_t *th;
	json_t *ix;
	int i, j, mi;
	int64_t t0, t1;
	double s1, s2;

	if (argc != 7) {
		fprintf(stderr, "usage: seed URL ADMIN_TOKEN EXAMPLES_DIR MODELS "
		                "VERSIONS THREADS\n");
		return 2;
	}
	url = argv[1];
	token = argv[2];
	n_models = atoi(argv[4]);
	n_versions = atoi(argv[5]);
	n_threads = atoi(argv[6]);
	n_orgs = n_models / 50;
	n_orgs = n_orgs < 2 ? 2 : n_orgs > 200 ? 200 : n_orgs;
	tpl_open = load(argv[3], "disclosure-open.json");
	tpl_api = load(argv[3], "disclosure-api.json");
	tpl_sparse = load(argv[3], "disclosure-sparse.json");
	{
		char p[1024];

		snprintf(p, sizeof(p), "%s/../schema/indices", argv[3]);
		ix = load(p, "modelfacts-v1.json");
	}
	indicators = json_array();
	for (i = 0; i < (int)json_array_size(json_object_get(ix, "indicators"));
	     i++)
		json_array_append(indicators,
		                  json_object_get(json_array_get(json_object_get(
		                                      ix, "indicators"),
		                                  (size_t)i),
		                                  "id"));
	mf_time_format_s(now_s, sizeof(now_s), mf_time_now_ms() / 1000);
	today_days = mf_time_now_ms() / 1000 / 86400;
	date_str(today, sizeof(today), today_days);

	orgs = calloc((size_t)n_orgs, sizeof(*orgs));
	for (i = 0; i < n_orgs; i++) {
		struct org *o = &orgs[i];
		uint64_t s = 0xfeedULL + (uint64_t)i * 104729;

		rnd(&s);
		snprintf(o->name, sizeof(o->name), "%s %s %s",
		         org_words[i % 40], org_kinds[(i / 40 + i) % 10],
		         org_forms[rnd(&s) % 8]);
		snprintf(o->slug, sizeof(o->slug), "%s-%d", org_words[i % 40], i);
		slugify(o->slug, sizeof(o->slug), o->slug);
		o->n = n_models / n_orgs + (i < n_models % n_orgs);
		o->models = calloc((size_t)o->n, sizeof(*o->models));
		for (mi = 0; mi < o->n; mi++) {
			struct model *m = &o->models[mi];
			char size[16];
			/* 0.1B .. 1000B, log-uniform */
			double b = pow(10.0, unif(&s) * 4 - 1);

			m->params = floor(b * 1e9 * (0.9 + 0.2 * unif(&s)) / 1e6) * 1e6;
			if (b < 1)
				snprintf(size, sizeof(size), "%.0fM", b * 1000);
			else
				snprintf(size, sizeof(size), "%.0fB", b);
			snprintf(m->name, sizeof(m->name), "%s %s %s",
			         PICK(&s, stems), size, PICK(&s, variants));
			snprintf(m->slug, sizeof(m->slug), "%s-%d", m->name, mi);
			slugify(m->slug, sizeof(m->slug), m->slug);
		}
		if (register_org(o, "developer") != 0)
			return 1;
	}
	for (j = 0; j < N_EVALUATORS + N_ASSESSORS; j++) {
		struct org *o = &judges[j];

		memset(o, 0, sizeof(*o));
		snprintf(o->name, sizeof(o->name), "%s",
		         j < N_EVALUATORS ? ev_names[j] : as_names[j - N_EVALUATORS]);
		slugify(o->slug, sizeof(o->slug), o->name);
		if (register_org(o, j < N_EVALUATORS ? "evaluator" : "assessor") !=
		    0)
			return 1;
	}

	th = calloc((size_t)(n_threads + N_EVALUATORS + N_ASSESSORS),
	            sizeof(*th));
	t0 = mf_time_mono_ns();
	for (i = 0; i < n_threads; i++)
		pthread_create(&th[i], NULL, developer_thread, NULL);
	for (i = 0; i < n_threads; i++)
		pthread_join(th[i], NULL);
	t1 = mf_time_mono_ns();
	s1 = (double)(t1 - t0) / 1e9;
	fprintf(stderr, "seed: %d disclosures, %d self-reported evals in %.1f s\n",
	        (int)n_disc, (int)n_self, s1);
	if (n_fail == 0) {
		for (j = 0; j < N_EVALUATORS + N_ASSESSORS; j++)
			pthread_create(&th[j], NULL, judge_thread, &judges[j]);
		for (j = 0; j < N_EVALUATORS + N_ASSESSORS; j++)
			pthread_join(th[j], NULL);
	}
	s2 = (double)(mf_time_mono_ns() - t1) / 1e9;
	printf("{\"orgs\": %d, \"models\": %d, \"versions\": %d, "
	       "\"disclosures\": %d, \"self_reported\": %d, "
	       "\"third_party\": %d, \"assessments\": %d, \"failed\": %d, "
	       "\"seconds\": %.1f, \"per_second\": %.0f}\n",
	       n_orgs, n_models, n_versions, (int)n_disc, (int)n_self,
	       (int)n_third, (int)n_assess, (int)n_fail, s1 + s2,
	       (double)n_ok / (s1 + s2));
	/* a model to compare and judge, for run.sh: org/model of the first
	 * four models of the first organisation */
	for (mi = 0; mi < 4 && mi < orgs[0].n; mi++)
		fprintf(stderr, "seed: model %s/%s\n", orgs[0].slug,
		        orgs[0].models[mi].slug);
	return n_fail ? 1 : 0;
}
