/*
 * Publisher benchmark: N log entries with the file layout of DESIGN.md §5
 * committed through git/repo.h (Ed25519 SSHSIG-signed commits,
 * version tags, periodic packing), and the same trees written by
 * `git fast-import` from a stream generated from the same data, in the
 * same run. Prints commits/s for each, their ratio, commit latencies and
 * the git layer's own time per phase (its stopwatch, as in the
 * publisher's debug line).
 *
 * usage: bench_publish OUTDIR [ENTRIES]
 */
#include "common/buf.h"
#include "common/digest.h"
#include "common/encoding.h"
#include "common/diag.h"
#include "common/stopwatch.h"
#include "common/timeutil.h"
#include "git/repo.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORGS        50
#define MODELS      4
#define MAX_CHANGES 6

struct entry {
	struct mf_gitrepo_change ch[MAX_CHANGES];
	char *paths[MAX_CHANGES]; /* owned */
	char *data[MAX_CHANGES];  /* owned */
	size_t nch;
	char *msg; /* owned */
	char org[16];
	int64_t when;
	char tag[64]; /* "" when the entry makes no new version */
};

struct dataset {
	struct entry *e;
	size_t n;
	size_t disclosures, evals, keys, bytes;
};

/* splitmix64: reproducible data for every run */
static uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static const char *const words[] = {
    "model",      "training",   "data",         "tokens",     "license",
    "evaluation", "safety",     "compute",      "energy",     "language",
    "benchmark",  "weights",    "release",      "provenance", "mitigation",
    "context",    "parameters", "multilingual", "filtering",  "dataset",
};

/* Roughly len bytes of prose, different for every seed. */
static void
prose(struct mf_buf *b, size_t len, uint64_t *s)
{
	size_t start = b->len;

	while (b->len - start < len)
		mf_buf_printf(b, "%s%s", words[rnd(s) % 20],
		              rnd(s) % 12 == 0 ? ".\n" : " ");
}

/* A DSSE envelope of about len bytes around a generated JSON payload. */
static void
envelope(struct mf_buf *b, const char *type, size_t len, uint64_t *s)
{
	struct mf_buf payload = MF_BUF_INIT;
	uint8_t sig[64];
	char *p64, *s64;
	size_t i;

	mf_buf_printf(&payload,
	              "{\"registry\":\"modelfacts.bench\","
	              "\"seq\":%llu,\"facts\":\"",
	              (unsigned long long)(rnd(s) % 100000));
	prose(&payload, len * 3 / 4 - 200, s);
	mf_buf_puts(&payload, "\"}");
	for (i = 0; i < sizeof(sig); i++)
		sig[i] = (uint8_t)rnd(s);
	p64 =
	    mf_base64_encode_alloc((const uint8_t *)payload.data, payload.len);
	s64 = mf_base64_encode_alloc(sig, sizeof(sig));
	mf_buf_printf(b,
	              "{\"payloadType\":\"application/vnd.modelfacts.%s.v1+"
	              "json\",\"payload\":\"%s\",\"signatures\":[{\"keyid\":"
	              "\"%016llx\",\"sig\":\"%s\"}]}\n",
	              type, p64, (unsigned long long)rnd(s), s64);
	free(p64);
	free(s64);
	mf_buf_dispose(&payload);
}

static void
add(struct entry *e, struct dataset *d, struct mf_buf *path,
    struct mf_buf *data)
{
	size_t k = e->nch++;

	e->paths[k] = mf_buf_detach(path, NULL);
	e->data[k] = mf_buf_detach(data, &e->ch[k].len);
	e->ch[k].op = MF_GITREPO_PUT;
	e->ch[k].path = e->paths[k];
	e->ch[k].data = e->data[k];
	d->bytes += e->ch[k].len;
}

/* One log entry: a disclosure (70%), an eval (25%) or a key event. */
static void
make_entry(struct dataset *d, size_t i, unsigned version[ORGS][MODELS],
           uint64_t *s)
{
	struct entry *e = &d->e[i];
	struct mf_buf path = MF_BUF_INIT, data = MF_BUF_INIT;
	struct mf_buf msg = MF_BUF_INIT;
	unsigned o = (unsigned)(rnd(s) % ORGS), m = (unsigned)(rnd(s) % MODELS);
	unsigned kind = (unsigned)(rnd(s) % 100);
	char model[16], hex[MF_SHA256_HEX_LEN + 1], sub[96];

	snprintf(e->org, sizeof(e->org), "org-%02u", o);
	snprintf(model, sizeof(model), "model-%u", m);
	e->when = 1767225600 + (int64_t)i * 7;
	if (kind < 95 && version[o][m] == 0)
		kind = 0; /* a model's first entry is its disclosure */
	if (kind < 70) {
		d->disclosures++;
		version[o][m]++;
		snprintf(e->tag, sizeof(e->tag), "%s/%s/v%u", e->org, model,
		         version[o][m]);
		mf_buf_printf(&path, "models/%s/%s/disclosure.dsse.json",
		              e->org, model);
		envelope(&data, "disclosure", 8192, s);
		add(e, d, &path, &data);
		snprintf(sub, sizeof(sub), "Publish %s/%s v%u", e->org, model,
		         version[o][m]);
	} else if (kind < 95) {
		d->evals++;
		mf_buf_printf(&path, "models/%s/%s/evals/e%05zu.dsse.json",
		              e->org, model, i);
		envelope(&data, "eval-result", 3072, s);
		add(e, d, &path, &data);
		snprintf(sub, sizeof(sub), "Add eval e%05zu to %s/%s", i,
		         e->org, model);
	} else {
		d->keys++;
		mf_buf_printf(&path, "orgs/%s/keys/%016llx.pem", e->org,
		              (unsigned long long)rnd(s));
		mf_buf_puts(&data, "-----BEGIN PUBLIC KEY-----\n");
		mf_buf_printf(&data, "MCowBQYDK2VwAyEA%032llx%012llx\n",
		              (unsigned long long)rnd(s),
		              (unsigned long long)rnd(s));
		mf_buf_puts(&data, "-----END PUBLIC KEY-----\n");
		add(e, d, &path, &data);
		snprintf(sub, sizeof(sub), "Key event for %s", e->org);
	}
	if (kind < 95) { /* the spec sheet changes with every fact */
		mf_buf_printf(&path, "models/%s/%s/label.md", e->org, model);
		mf_buf_printf(&data,
		              "# %s/%s v%u\n\n| fact | value |\n"
		              "|---|---|\n",
		              e->org, model, version[o][m]);
		prose(&data, 3000, s);
		add(e, d, &path, &data);
		mf_buf_printf(&path, "models/%s/%s/label.json", e->org, model);
		mf_buf_printf(&data,
		              "{\"org\":\"%s\",\"model\":\"%s\","
		              "\"version\":%u,\"facts\":\"",
		              e->org, model, version[o][m]);
		prose(&data, 4000, s);
		mf_buf_puts(&data, "\"}\n");
		add(e, d, &path, &data);
	}
	mf_buf_puts(&path, "log/checkpoint");
	mf_buf_printf(&data,
	              "modelfacts.bench\n%zu\n%016llx%016llx%016llx=\n\n"
	              "\xe2\x80\x94 modelfacts.bench %016llx%016llx\n",
	              i + 1, (unsigned long long)rnd(s),
	              (unsigned long long)rnd(s), (unsigned long long)rnd(s),
	              (unsigned long long)rnd(s), (unsigned long long)rnd(s));
	add(e, d, &path, &data);
	mf_sha256_hex(hex, e->data[0], e->ch[0].len);
	mf_buf_printf(&msg,
	              "%s\n\nAccepted by the registry at log index %zu.\n\n"
	              "Log-Index: %zu\nVersion: %u\nPayload-SHA256: %s\n"
	              "Signed-By: %016llx\n",
	              sub, i, i, version[o][m], hex,
	              (unsigned long long)rnd(s));
	e->msg = mf_buf_detach(&msg, NULL);
}

/* In-process SSHSIG (namespace "git") with one Ed25519 key. */
struct signer {
	EVP_PKEY *key;
	uint8_t pubblob[51]; /* string "ssh-ed25519", string key */
};

static void
put_string(struct mf_buf *b, const void *p, size_t n)
{
	uint8_t len[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16),
	                  (uint8_t)(n >> 8), (uint8_t)n};

	mf_buf_append(b, len, 4);
	mf_buf_append(b, p, n);
}

static int
signer_init(struct signer *sg)
{
	uint8_t seed[32], pub[32];
	size_t n = sizeof(pub);
	struct mf_buf b = MF_BUF_INIT;

	memset(seed, 0x5a, sizeof(seed)); /* fixed: reproducible ids */
	sg->key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed,
	                                       sizeof(seed));
	if (sg->key == NULL ||
	    EVP_PKEY_get_raw_public_key(sg->key, pub, &n) != 1)
		return -1;
	put_string(&b, "ssh-ed25519", 11);
	put_string(&b, pub, sizeof(pub));
	memcpy(sg->pubblob, b.data, sizeof(sg->pubblob));
	mf_buf_dispose(&b);
	return 0;
}

static int
sshsig_sign(void *ctx, const char *data, size_t len, struct mf_buf *out,
            struct mf_error *err)
{
	struct signer *sg = ctx;
	struct mf_buf tbs = MF_BUF_INIT, blob = MF_BUF_INIT, sig = MF_BUF_INIT;
	uint8_t h[64], raw[64];
	size_t rawlen = sizeof(raw), i, n;
	unsigned hl = 0;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	char *b64 = NULL;
	int rc = MF_E_INTERNAL;

	/* what is signed: the magic, namespace, reserved, hash, H(msg) */
	if (md == NULL ||
	    EVP_Digest(data, len, h, &hl, EVP_sha512(), NULL) != 1)
		goto done;
	mf_buf_append(&tbs, "SSHSIG", 6);
	put_string(&tbs, "git", 3);
	put_string(&tbs, "", 0);
	put_string(&tbs, "sha512", 6);
	put_string(&tbs, h, hl);
	if (EVP_DigestSignInit(md, NULL, NULL, NULL, sg->key) != 1 ||
	    EVP_DigestSign(md, raw, &rawlen, (const uint8_t *)tbs.data,
	                   tbs.len) != 1)
		goto done;
	put_string(&sig, "ssh-ed25519", 11);
	put_string(&sig, raw, rawlen);
	mf_buf_append(&blob, "SSHSIG\0\0\0\1", 10);
	put_string(&blob, sg->pubblob, sizeof(sg->pubblob));
	put_string(&blob, "git", 3);
	put_string(&blob, "", 0);
	put_string(&blob, "sha512", 6);
	put_string(&blob, sig.data, sig.len);
	if ((b64 = mf_base64_encode_alloc((const uint8_t *)blob.data,
	                                  blob.len)) == NULL)
		goto done;
	mf_buf_puts(out, "-----BEGIN SSH SIGNATURE-----\n");
	for (i = 0, n = strlen(b64); i < n; i += 70)
		mf_buf_printf(out, "%.70s\n", b64 + i);
	rc = mf_buf_puts(out, "-----END SSH SIGNATURE-----\n");
done:
	if (rc != 0)
		mf_error_set(err, rc, NULL, "signing failed");
	free(b64);
	EVP_MD_CTX_free(md);
	mf_buf_dispose(&tbs);
	mf_buf_dispose(&blob);
	mf_buf_dispose(&sig);
	return rc;
}

static int run_cmd(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int
run_cmd(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

struct result {
	double secs, pack_secs;
	double p50_ms, p99_ms, max_ms;
	char phases[256]; /* "trees 123.4 commit ... merge 5.6", in ms */
};

/* Publishes every entry through the git layer; times the whole loop. */
static int
run_api(const struct dataset *d, const char *dir, bool fsync, bool sign,
        unsigned batch, struct signer *sg, struct result *res)
{
	struct mf_gitrepo_options opt;
	struct mf_gitrepo_commit_req req;
	struct mf_gitrepo *r = NULL;
	struct mf_buf phases = MF_BUF_INIT;
	struct mf_error err;
	char id[MF_GITREPO_ID_SIZE] = "", parent[MF_GITREPO_ID_SIZE] = "";
	int64_t *lat = calloc(d->n, sizeof(*lat)), t0, t1, start;
	size_t i, first = 0, k;
	int rc;

	if (lat == NULL)
		return -1;
	res->phases[0] = '\0';
	run_cmd("rm -rf '%s'", dir);
	mf_gitrepo_options_default(&opt);
	opt.fsync = fsync;
	opt.pack_every = 256;
	opt.batch_max = batch;
	opt.prune_grace_s = 0;
	mf_error_init(&err);
	if ((rc = mf_gitrepo_open(&r, dir, &opt, &err)) != 0)
		goto done;
	start = mf_time_mono_ns();
	for (i = 0; i < d->n; i++) {
		const struct entry *e = &d->e[i];

		lat[i] = mf_time_mono_ns(); /* accepted: ready to publish */
		memset(&req, 0, sizeof(req));
		req.parent = parent;
		req.changes = e->ch;
		req.nchanges = e->nch;
		req.message = e->msg;
		req.author = (struct mf_gitrepo_identity){
		    e->org, "publisher@example.org", e->when, 60};
		req.committer = (struct mf_gitrepo_identity){
		    "modelfacts", "registry@modelfacts.bench", e->when, 0};
		req.sign = sign ? sshsig_sign : NULL;
		req.sign_ctx = sg;
		if ((rc = mf_gitrepo_commit(r, &req, id, &err)) != 0)
			goto done;
		if (e->tag[0] != '\0' &&
		    (rc = mf_gitrepo_tag(r, e->tag, id, NULL, NULL, &err)) != 0)
			goto done;
		memcpy(parent, id, sizeof(id));
		if (i + 1 == d->n && (rc = mf_gitrepo_flush(r, &err)) != 0)
			goto done;
		/* lag: from the start of an entry to the flush publishing it */
		if (mf_gitrepo_staged(r) == 0) {
			t1 = mf_time_mono_ns();
			for (k = first; k <= i; k++)
				lat[k] = t1 - lat[k];
			first = i + 1;
		}
	}
	t0 = mf_time_mono_ns();
	rc = mf_gitrepo_pack(r, &err); /* leave it packed, as fast-import */
	t1 = mf_time_mono_ns();
	res->secs = (double)(t1 - start) / 1e9;
	res->pack_secs = (double)(t1 - t0) / 1e9;
	qsort(lat, d->n, sizeof(*lat), cmp_i64);
	res->p50_ms = (double)lat[d->n / 2] / 1e6;
	res->p99_ms = (double)lat[d->n * 99 / 100] / 1e6;
	res->max_ms = (double)lat[d->n - 1] / 1e6;
	mf_buf_clear(&phases);
	if (mf_stopwatch_format(&phases, mf_gitrepo_stopwatch(r), NULL) == 0)
		snprintf(res->phases, sizeof(res->phases), "%s", phases.data);
done:
	if (rc != 0)
		fprintf(stderr, "bench: %s: %s\n", dir, err.message);
	mf_error_dispose(&err);
	mf_buf_dispose(&phases);
	mf_gitrepo_free(r);
	free(lat);
	return rc;
}

/* The same entries as a fast-import stream (unsigned: it cannot sign). */
static int
write_stream(const struct dataset *d, const char *path)
{
	FILE *f = fopen(path, "wb");
	size_t i, k;

	if (f == NULL)
		return -1;
	for (i = 0; i < d->n; i++) {
		const struct entry *e = &d->e[i];

		fprintf(f, "commit refs/heads/main\nmark :%zu\n", i + 1);
		fprintf(f, "author %s <publisher@example.org> %lld +0100\n",
		        e->org, (long long)e->when);
		fprintf(f,
		        "committer modelfacts <registry@modelfacts.bench> "
		        "%lld +0000\n",
		        (long long)e->when);
		fprintf(f, "data %zu\n%s\n", strlen(e->msg), e->msg);
		if (i > 0)
			fprintf(f, "from :%zu\n", i);
		for (k = 0; k < e->nch; k++) {
			fprintf(f, "M 100644 inline %s\ndata %zu\n",
			        e->ch[k].path, e->ch[k].len);
			fwrite(e->ch[k].data, 1, e->ch[k].len, f);
			fputc('\n', f);
		}
		fputc('\n', f);
		if (e->tag[0] != '\0')
			fprintf(f, "reset refs/tags/%s\nfrom :%zu\n\n", e->tag,
			        i + 1);
	}
	fprintf(f, "done\n");
	return fclose(f) == 0 ? 0 : -1;
}

static void
print_row(const char *label, const struct result *r, size_t n, double fi)
{
	printf("%-44s %7.2f s %7.0f commits/s  ratio %.2f  "
	       "lag p50 %.1f ms p99 %.1f ms max %.0f ms "
	       "(final pack %.2f s)\n",
	       label, r->secs, (double)n / r->secs,
	       ((double)n / r->secs) / ((double)n / fi), r->p50_ms, r->p99_ms,
	       r->max_ms, r->pack_secs);
	printf("%-44s %s\n", "  git layer, ms per phase:", r->phases);
}

int
main(int argc, char **argv)
{
	static unsigned version[ORGS][MODELS];
	struct dataset d = {0};
	struct result loose, loose_unsigned, synced;
	struct signer sg;
	char path[2048], dir[2048];
	uint64_t seed = 20260101;
	int64_t t0;
	double fi;
	size_t i, k, tags = 0;
	FILE *f;
	char *b64;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_publish OUTDIR [ENTRIES]\n");
		return 2;
	}
	d.n = argc > 2 ? strtoul(argv[2], NULL, 10) : 5000;
	mf_diag_set_level(MF_DIAG_WARN);
	if (d.n == 0 || (d.e = calloc(d.n, sizeof(*d.e))) == NULL ||
	    signer_init(&sg) != 0)
		return 1;
	for (i = 0; i < d.n; i++) {
		make_entry(&d, i, version, &seed);
		tags += d.e[i].tag[0] != '\0';
	}
	printf("entries: %zu (disclosures %zu, evals %zu, key events %zu), "
	       "%zu tags, %.1f MB of file content, %d orgs x %d models\n",
	       d.n, d.disclosures, d.evals, d.keys, tags, (double)d.bytes / 1e6,
	       ORGS, MODELS);

	/* allowed signers for `git verify-commit` of the results */
	snprintf(path, sizeof(path), "%s/allowed_signers", argv[1]);
	b64 = mf_base64_encode_alloc(sg.pubblob, sizeof(sg.pubblob));
	if ((f = fopen(path, "w")) == NULL || b64 == NULL)
		return 1;
	fprintf(f, "registry@modelfacts.bench ssh-ed25519 %s\n", b64);
	fclose(f);
	free(b64);

	snprintf(path, sizeof(path), "%s/stream.fi", argv[1]);
	snprintf(dir, sizeof(dir), "%s/fast-import.git", argv[1]);
	if (write_stream(&d, path) != 0 ||
	    run_cmd("rm -rf '%s' && git init -q --bare -b main '%s'", dir,
	            dir) != 0)
		return 1;
	t0 = mf_time_mono_ns();
	if (run_cmd("git --git-dir='%s' fast-import --quiet < '%s'", dir,
	            path) != 0)
		return 1;
	fi = (double)(mf_time_mono_ns() - t0) / 1e9;
	printf("%-44s %7.2f s %7.0f commits/s\n",
	       "git fast-import (unsigned, one pack)", fi, (double)d.n / fi);

	snprintf(dir, sizeof(dir), "%s/libgit2.git", argv[1]);
	if (run_api(&d, dir, false, true, 64, &sg, &loose) != 0)
		return 1;
	print_row("signed, batch 64, fsync off", &loose, d.n, fi);
	snprintf(dir, sizeof(dir), "%s/libgit2-unsigned.git", argv[1]);
	if (run_api(&d, dir, false, false, 64, &sg, &loose_unsigned) != 0)
		return 1;
	print_row("unsigned, batch 64, fsync off", &loose_unsigned, d.n, fi);
	snprintf(dir, sizeof(dir), "%s/libgit2-fsync.git", argv[1]);
	if (run_api(&d, dir, true, true, 64, &sg, &synced) != 0)
		return 1;
	print_row("signed, batch 64, fsync on", &synced, d.n, fi);
	if (getenv("BENCH_BATCH1") != NULL) {
		snprintf(dir, sizeof(dir), "%s/libgit2-batch1.git", argv[1]);
		if (run_api(&d, dir, false, true, 1, &sg, &loose) != 0)
			return 1;
		print_row("signed, batch 1, fsync off", &loose, d.n, fi);
	}

	for (i = 0; i < d.n; i++) {
		for (k = 0; k < d.e[i].nch; k++) {
			free(d.e[i].paths[k]);
			free(d.e[i].data[k]);
		}
		free(d.e[i].msg);
	}
	free(d.e);
	EVP_PKEY_free(sg.key);
	return 0;
}
