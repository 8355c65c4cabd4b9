/*
 * modelfacts verify-log: checks the registry's tamper-evident log offline
 * (checkpoint signatures, inclusion and consistency proofs), and follows
 * a registry over time, remembering the last checkpoint it saw and
 * failing loudly if a new one does not extend it.
 */
#include "cli/commands.h"
#include "cli/util.h"
#include "common/digest.h"
#include "common/encoding.h"
#include "common/json.h"
#include "merkle/checkpoint.h"
#include "merkle/entry.h"
#include "merkle/merkle.h"
#include "merkle/note.h"
#include "merkle/policy.h"
#include "merkle/tlog_proof.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HASH MF_MERKLE_HASH_LEN

/* One row per nested command: its synopsis, what it does, examples. */
static const struct {
	const char *name, *synopsis, *text, *examples;
} subs[] = {
    {"checkpoint", "(--key KEY | --policy POLICY) FILE",
     "verifies a signed checkpoint (with --policy, its witnesses' "
     "quorum too)",
     "  modelfacts verify-log checkpoint --key \"$(cat log.vkey)\" "
     "checkpoint.txt\n"
     "  modelfacts verify-log checkpoint --policy regulator.policy "
     "checkpoint.txt\n"},
    {"receipt", "(--key KEY | --policy POLICY) RESPONSE.json",
     "verifies a submission response (201/200): its checkpoint, leaf "
     "and\n    inclusion proof",
     "  modelfacts verify-log receipt --key \"$(cat log.vkey)\" "
     "receipt.json\n"},
    {"inclusion",
     "(--key KEY | --policy POLICY) --checkpoint FILE --proof PROOF.json\n"
     "          (--leaf FILE | --leaf-hash BASE64)",
     "verifies that a leaf is in the log the checkpoint signs",
     "  modelfacts verify-log inclusion --key \"$(cat log.vkey)\" "
     "--checkpoint cp.txt \\\n"
     "      --proof proof.json --leaf leaf.txt\n"},
    {"consistency", "--key KEY --old FILE --new FILE --proof PROOF.json",
     "verifies that the new checkpoint's log extends the old one's",
     "  modelfacts verify-log consistency --key \"$(cat log.vkey)\" "
     "--old a.txt \\\n"
     "      --new b.txt --proof proof.json\n"},
    {"follow",
     "[--registry URL] [--state FILE] [--key KEY] [--policy POLICY]\n"
     "          [--wait SECONDS]",
     "fetches the latest checkpoint, verifies it and, when FILE holds "
     "an earlier\n    one, a consistency proof from it; then stores the "
     "new one. The key is\n    pinned in FILE on first use (or given "
     "with --key); FILE defaults to\n    .modelfacts-log.json in the "
     "current directory",
     "  modelfacts verify-log follow --state ~/.modelfacts-log.json\n"
     "  modelfacts verify-log follow --registry http://127.0.0.1:18700 "
     "--state log.json\n"},
    {"entry",
     "[--registry URL] [--key KEY] [--policy POLICY] [--wait SECONDS] "
     "INDEX",
     "fetches entry INDEX and proves it is in the latest checkpoint",
     "  modelfacts verify-log entry 0\n"
     "  modelfacts verify-log entry --registry http://127.0.0.1:18700 "
     "12\n"},
    {"proof",
     "--write FILE [--registry URL] [--key KEY] [--policy POLICY]\n"
     "          [--wait SECONDS] INDEX\n"
     "          | (--key KEY | --policy POLICY) [--leaf FILE] FILE",
     "with --write, fetches entry INDEX, its inclusion proof and the "
     "latest\n    checkpoint, checks them and writes a C2SP tlog-proof "
     "file (the entry\n    text as its extra data); else verifies such a "
     "file offline: the\n    checkpoint's signature with KEY, then the "
     "entry (or --leaf FILE, which\n    must be the same text) up the "
     "path to the checkpoint's root.\n    The file keeps the "
     "witnesses' cosignatures on the checkpoint, so\n    --policy "
     "checks their quorum offline, from the file and the keys alone",
     "  modelfacts verify-log proof --write entry-12.tlog-proof 12\n"
     "  modelfacts verify-log proof --key \"$(cat log.vkey)\" "
     "entry-12.tlog-proof\n"
     "  modelfacts verify-log proof --policy regulator.policy "
     "entry-12.tlog-proof\n"},
};

#define N_SUBS (sizeof(subs) / sizeof(subs[0]))

/* The usage of one nested command (sub), or of all when sub is NULL. */
static void
usage_of(FILE *out, const char *sub)
{
	size_t i, only = N_SUBS;

	for (i = 0; sub != NULL && i < N_SUBS; i++)
		if (strcmp(subs[i].name, sub) == 0)
			only = i;
	if (only == N_SUBS)
		fprintf(out, "usage: modelfacts verify-log COMMAND "
		             "[OPTION]...\n\n");
	for (i = 0; i < N_SUBS; i++)
		if (only == N_SUBS || i == only)
			fprintf(out,
			        "%s modelfacts verify-log %s %s\n    %s.\n",
			        only == N_SUBS ? " " : "usage:", subs[i].name,
			        subs[i].synopsis, subs[i].text);
	fprintf(out,
	        "\nKEY is the log's verifier key, as GET /v1/registry "
	        "(log_public_key) and\n`modelfacts verify-log follow` print "
	        "it: <origin>+<hash>+<key>.\n"
	        "POLICY is a C2SP tlog-policy file (c2sp.org/tlog-policy): "
	        "its log lines stand in\nfor --key, and a checkpoint "
	        "counts only when every cosignature on it verifies\nand "
	        "its witnesses meet the quorum (else exit 1, naming who is "
	        "missing).\n");
	if (only == N_SUBS || strcmp(subs[only].name, "follow") == 0 ||
	    strcmp(subs[only].name, "entry") == 0 ||
	    strcmp(subs[only].name, "proof") == 0)
		fprintf(out,
		        "--wait SECONDS: with --policy, ask again every "
		        "second while the latest checkpoint\nlacks the "
		        "quorum (witnesses cosign after the log signs).\n");
	if (only == N_SUBS || strcmp(subs[only].name, "follow") == 0 ||
	    strcmp(subs[only].name, "entry") == 0 ||
	    strcmp(subs[only].name, "proof") == 0)
		fprintf(out, "--registry URL: the registry (else "
		             "$MODELFACTS_URL, else http://127.0.0.1:8080).\n");
	fprintf(out, "Exit 0 verified, 1 verification failed, 2 usage or "
	             "I/O error.\n\nexamples:\n");
	for (i = 0; i < N_SUBS; i++)
		if (only == N_SUBS || i == only)
			fputs(subs[i].examples, out);
}

static void
usage(FILE *out)
{
	usage_of(out, NULL);
}

struct opts {
	const char *key, *checkpoint, *proof, *leaf, *leaf_hash, *old, *new_;
	const char *registry, *state, *write, *policy;
	struct mf_policy *pol; /* owned: --policy FILE, parsed */
	long wait;             /* --wait SECONDS for a quorum */
	const char *want_sha;  /* proof: the payload the entry must name */
};

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	const char *sub = argv[0];
	static const struct option lopts[] = {
	    {"key", required_argument, NULL, 'k'},
	    {"checkpoint", required_argument, NULL, 'c'},
	    {"proof", required_argument, NULL, 'p'},
	    {"leaf", required_argument, NULL, 'l'},
	    {"leaf-hash", required_argument, NULL, 'H'},
	    {"old", required_argument, NULL, 'o'},
	    {"new", required_argument, NULL, 'n'},
	    {"registry", required_argument, NULL, 'r'},
	    {"state", required_argument, NULL, 's'},
	    {"write", required_argument, NULL, 'w'},
	    {"policy", required_argument, NULL, 'P'},
	    {"wait", required_argument, NULL, 'W'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			o->key = optarg;
			break;
		case 'c':
			o->checkpoint = optarg;
			break;
		case 'p':
			o->proof = optarg;
			break;
		case 'l':
			o->leaf = optarg;
			break;
		case 'H':
			o->leaf_hash = optarg;
			break;
		case 'o':
			o->old = optarg;
			break;
		case 'n':
			o->new_ = optarg;
			break;
		case 'r':
			o->registry = optarg;
			break;
		case 's':
			o->state = optarg;
			break;
		case 'w':
			o->write = optarg;
			break;
		case 'P':
			o->policy = optarg;
			break;
		case 'W':
			o->wait = strtol(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end != '\0' ||
			    o->wait > 3600) {
				fprintf(stderr,
				        "modelfacts verify-log: --wait: "
				        "0 to 3600 seconds\n");
				return -1;
			}
			break;
		case 'h':
			usage_of(stdout, sub);
			return 1;
		default:
			usage_of(stderr, sub);
			return -1;
		}
	}
	return 0;
}

static int
fail(const char *what, const struct mf_error *err)
{
	printf("NOT VERIFIED: %s%s%s\n", what,
	       err && err->message[0] ? ": " : "", err ? err->message : "");
	return MF_EXIT_FAIL;
}

/* Verifies a signed checkpoint note with the verifier key string. */
static int
open_checkpoint(struct mf_checkpoint *cp, const char *note, const char *vkey,
                struct mf_error *err)
{
	struct mf_note_verifier *v = NULL;
	int rc;

	mf_checkpoint_init(cp);
	if ((rc = mf_note_verifier_new(&v, vkey, err)) != 0)
		return rc;
	rc = mf_checkpoint_open(cp, note, strlen(note), v, NULL, err);
	mf_note_verifier_free(v);
	return rc;
}

/* --policy FILE into o->pol; MF_EXIT_OK or MF_EXIT_USAGE (printed). */
static int
load_policy(struct opts *o)
{
	struct mf_error err;
	char *text;
	size_t len;
	int rc;

	if (o->policy == NULL)
		return MF_EXIT_OK;
	if ((text = mf_cli_read_file(o->policy, MF_POLICY_MAX_SIZE, &len)) ==
	    NULL)
		return MF_EXIT_USAGE;
	mf_error_init(&err);
	if ((rc = mf_policy_parse(&o->pol, text, len, 0, &err)) != 0)
		fprintf(stderr, "modelfacts: %s: %s\n", o->policy, err.message);
	mf_error_dispose(&err);
	free(text);
	return rc == 0 ? MF_EXIT_OK : MF_EXIT_USAGE;
}

/* Whether --policy names the log (its log lines stand in for --key). */
static int
policy_logs(const struct opts *o)
{
	return o->pol != NULL && mf_policy_log_count(o->pol) > 0;
}

/* A log key is known: --key, or a log line of --policy. */
static int
have_log_key(const struct opts *o)
{
	return o->key != NULL || policy_logs(o);
}

/*
 * Verifies a signed checkpoint as the options ask. With --policy: signed
 * by one of its logs (or by key, when not NULL), every cosignature on it
 * valid and the policy's quorum met (merkle/policy.h), which a line on
 * stdout then states; else signed by key alone. *used (may be NULL) gets
 * the verifier key string that verified (borrowed from key or from the
 * policy). 0 or an MF_E code with err saying why: for a quorum not met,
 * which witnesses cosigned, which are missing or invalid, and the quorum.
 */
static int
check_cp(struct mf_checkpoint *cp, const char *note, const char *key,
         const struct opts *o, const char **used, struct mf_error *err)
{
	struct mf_policy_result r;
	char line[1024];
	int rc;

	if (used != NULL)
		*used = key;
	if (o->pol == NULL)
		return open_checkpoint(cp, note, key, err);
	mf_checkpoint_init(cp);
	mf_policy_result_init(&r);
	rc = mf_policy_check(o->pol, note, strlen(note), key, &r, err);
	if (rc == 0) {
		*cp = r.cp;
		mf_checkpoint_init(&r.cp);
		if (used != NULL && r.log != SIZE_MAX)
			*used = mf_policy_log_vkey(o->pol, r.log);
		mf_policy_describe(o->pol, &r, line, sizeof(line));
		printf("witnessed: %s\n", line);
	}
	mf_policy_result_dispose(&r);
	return rc;
}

/* Decodes a proof's "hashes" array. */
static int
proof_hashes(const json_t *proof, uint8_t (*out)[HASH], size_t *n)
{
	json_t *a = json_object_get(proof, "hashes"), *h;
	size_t i;

	*n = 0;
	if (!json_is_array(a) || json_array_size(a) > MF_MERKLE_MAX_PROOF)
		return -1;
	json_array_foreach(a, i, h)
	{
		const char *s = json_string_value(h);
		uint8_t *raw;
		size_t len;

		if (s == NULL ||
		    mf_base64_decode(&raw, &len, s, strlen(s)) != 0)
			return -1;
		if (len != HASH) {
			free(raw);
			return -1;
		}
		memcpy(out[i], raw, HASH);
		free(raw);
	}
	*n = json_array_size(a);
	return 0;
}

static int
check_inclusion(const struct mf_checkpoint *cp, const json_t *proof,
                const uint8_t leaf_hash[HASH])
{
	uint8_t hashes[MF_MERKLE_MAX_PROOF][HASH];
	json_int_t index = json_integer_value(json_object_get(proof, "index"));
	json_int_t size =
	    json_integer_value(json_object_get(proof, "tree_size"));
	size_t n;

	if (proof_hashes(proof, hashes, &n) != 0 || index < 0)
		return fail("the proof is malformed", NULL);
	if ((uint64_t)size != cp->size)
		return fail("the proof is for another tree size than the "
		            "checkpoint",
		            NULL);
	if (mf_merkle_verify_inclusion((uint64_t)index, cp->size, leaf_hash,
	                               (const uint8_t(*)[HASH])hashes, n,
	                               cp->root) != 0)
		return fail("the inclusion proof does not lead to the "
		            "checkpoint's root",
		            NULL);
	printf("verified: entry %" JSON_INTEGER_FORMAT " is in the log of "
	       "size %" PRIu64 " (%s)\n",
	       index, cp->size, cp->origin);
	return MF_EXIT_OK;
}

static int
check_consistency(const struct mf_checkpoint *a, const struct mf_checkpoint *b,
                  const json_t *proof)
{
	uint8_t hashes[MF_MERKLE_MAX_PROOF][HASH];
	size_t n;

	if (strcmp(a->origin, b->origin) != 0)
		return fail("the checkpoints are of different logs", NULL);
	if (b->size < a->size)
		return fail("the log SHRANK", NULL);
	if (a->size == b->size) {
		if (memcmp(a->root, b->root, HASH) != 0)
			return fail("two different roots for the same size: "
			            "the log FORKED",
			            NULL);
		return MF_EXIT_OK;
	}
	if (a->size == 0)
		return MF_EXIT_OK; /* everything extends the empty log */
	if (proof_hashes(proof, hashes, &n) != 0)
		return fail("the consistency proof is malformed", NULL);
	if (mf_merkle_verify_consistency(a->size, b->size,
	                                 (const uint8_t(*)[HASH])hashes, n,
	                                 a->root, b->root) != 0)
		return fail("the new checkpoint does not extend the old one: "
		            "the log was REWRITTEN or FORKED",
		            NULL);
	return MF_EXIT_OK;
}

static json_t *
load_json(const char *path)
{
	size_t len;
	char *text = mf_cli_read_file(path, 16u << 20, &len);
	json_t *j;

	if (text == NULL)
		return NULL;
	j = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	if (j == NULL)
		fprintf(stderr, "modelfacts verify-log: %s is not JSON\n",
		        path);
	free(text);
	return j;
}

static int
cmd_checkpoint(struct opts *o, int argc, char **argv)
{
	struct mf_checkpoint cp;
	struct mf_error err;
	size_t len;
	char *note;
	int rc;

	if (!have_log_key(o) || optind != argc - 1)
		return MF_EXIT_USAGE;
	if ((note = mf_cli_read_file(argv[optind], 65536, &len)) == NULL)
		return MF_EXIT_USAGE;
	mf_error_init(&err);
	rc = check_cp(&cp, note, o->key, o, NULL, &err);
	if (rc == 0)
		printf("verified: %s, size %" PRIu64 "\n", cp.origin, cp.size);
	else
		rc = fail("checkpoint", &err);
	mf_checkpoint_dispose(&cp);
	mf_error_dispose(&err);
	free(note);
	return rc;
}

/* Leaf hash of an entry text: SHA-256(0x00 || text). */
static void
leaf_hash_of(const char *text, uint8_t out[HASH])
{
	mf_merkle_leaf_hash(out, text, strlen(text));
}

static int
cmd_receipt(struct opts *o, int argc, char **argv)
{
	struct mf_checkpoint cp;
	struct mf_error err;
	uint8_t lh[HASH];
	json_t *r;
	const char *note, *leaf, *sha;
	char got[MF_SHA256_HEX_LEN + 2];
	int rc;

	if (!have_log_key(o) || optind != argc - 1)
		return MF_EXIT_USAGE;
	if ((r = load_json(argv[optind])) == NULL)
		return MF_EXIT_USAGE;
	mf_error_init(&err);
	mf_checkpoint_init(&cp);
	note = mf_json_str(r, "checkpoint");
	leaf = mf_json_str(r, "leaf");
	sha = mf_json_str(r, "payload_sha256");
	if (note == NULL || leaf == NULL || sha == NULL) {
		rc = fail("the response has no checkpoint, leaf or payload "
		          "digest (was it accepted?)",
		          NULL);
		goto done;
	}
	if (check_cp(&cp, note, o->key, o, NULL, &err) != 0) {
		rc = fail("checkpoint", &err);
		if (err.code == MF_E_FORBIDDEN)
			printf("  (a receipt carries the checkpoint of its "
			       "201, signed before any witness saw it;\n  "
			       "`verify-log entry --policy` checks the entry "
			       "against the latest, witnessed one)\n");
		goto done;
	}
	/* The entry must name the payload the response is about. */
	if (mf_log_entry_get(leaf, "payload-sha256", got, sizeof(got)) != 0 ||
	    strcmp(got, sha) != 0) {
		rc = fail("the log entry is for another payload", NULL);
		goto done;
	}
	leaf_hash_of(leaf, lh);
	rc = check_inclusion(&cp, json_object_get(r, "inclusion_proof"), lh);
done:
	mf_checkpoint_dispose(&cp);
	mf_error_dispose(&err);
	json_decref(r);
	return rc;
}

static int
cmd_inclusion(struct opts *o)
{
	struct mf_checkpoint cp;
	struct mf_error err;
	uint8_t lh[HASH];
	json_t *proof = NULL;
	char *note = NULL, *leaf = NULL;
	size_t len;
	int rc = MF_EXIT_USAGE;

	if (!have_log_key(o) || !o->checkpoint || !o->proof ||
	    (!o->leaf == !o->leaf_hash))
		return MF_EXIT_USAGE;
	mf_error_init(&err);
	mf_checkpoint_init(&cp);
	if ((note = mf_cli_read_file(o->checkpoint, 65536, &len)) == NULL ||
	    (proof = load_json(o->proof)) == NULL)
		goto done;
	if (o->leaf != NULL) {
		if ((leaf = mf_cli_read_file(o->leaf, 65536, &len)) == NULL)
			goto done;
		mf_merkle_leaf_hash(lh, leaf, len);
	} else {
		uint8_t *raw;

		if (mf_base64_decode(&raw, &len, o->leaf_hash,
		                     strlen(o->leaf_hash)) != 0 ||
		    len != HASH) {
			fprintf(stderr, "--leaf-hash: 32 bytes in base64\n");
			goto done;
		}
		memcpy(lh, raw, HASH);
		free(raw);
	}
	if (check_cp(&cp, note, o->key, o, NULL, &err) != 0) {
		rc = fail("checkpoint", &err);
		goto done;
	}
	rc = check_inclusion(&cp, proof, lh);
done:
	mf_checkpoint_dispose(&cp);
	mf_error_dispose(&err);
	json_decref(proof);
	free(note);
	free(leaf);
	return rc;
}

static int
cmd_consistency(struct opts *o)
{
	struct mf_checkpoint a, b;
	struct mf_error err;
	json_t *proof = NULL;
	char *na = NULL, *nb = NULL;
	size_t len;
	int rc = MF_EXIT_USAGE;

	if (!o->key || !o->old || !o->new_ || !o->proof)
		return MF_EXIT_USAGE;
	mf_error_init(&err);
	mf_checkpoint_init(&a);
	mf_checkpoint_init(&b);
	if ((na = mf_cli_read_file(o->old, 65536, &len)) == NULL ||
	    (nb = mf_cli_read_file(o->new_, 65536, &len)) == NULL ||
	    (proof = load_json(o->proof)) == NULL)
		goto done;
	if (open_checkpoint(&a, na, o->key, &err) != 0) {
		rc = fail("old checkpoint", &err);
		goto done;
	}
	if (open_checkpoint(&b, nb, o->key, &err) != 0) {
		rc = fail("new checkpoint", &err);
		goto done;
	}
	rc = check_consistency(&a, &b, proof);
	if (rc == 0)
		printf("verified: size %" PRIu64 " extends size %" PRIu64 "\n",
		       b.size, a.size);
done:
	mf_checkpoint_dispose(&a);
	mf_checkpoint_dispose(&b);
	mf_error_dispose(&err);
	json_decref(proof);
	free(na);
	free(nb);
	return rc;
}

/* GET base + path into a new string; NULL (reason printed) on failure. */
static char *
fetch(const char *base, const char *path, long want)
{
	char url[4096];
	struct mf_buf b = MF_BUF_INIT;
	long status;

	snprintf(url, sizeof(url), "%s%s", base, path);
	if (mf_cli_http("GET", url, NULL, 0, NULL, &status, &b) != 0) {
		mf_buf_dispose(&b);
		return NULL;
	}
	if (status != want) {
		fprintf(stderr, "modelfacts verify-log: GET %s: ", url);
		mf_cli_print_api_error(status, b.data);
		mf_buf_dispose(&b);
		return NULL;
	}
	return mf_buf_detach(&b, NULL);
}

/*
 * The registry's latest checkpoint into *note (new), verified by
 * check_cp. With --wait N and a policy whose quorum the served checkpoint
 * does not meet yet (witnesses cosign after the log signs), asks again
 * every second for up to N seconds. 0; -1 when it could not be fetched
 * (printed); else check_cp's code, with err saying why.
 */
static int
fetch_checkpoint(const char *base, const char *key, const struct opts *o,
                 struct mf_checkpoint *cp, char **note, const char **used,
                 struct mf_error *err)
{
	struct timespec now, pause;
	double until, left;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &now);
	until = (double)now.tv_sec + now.tv_nsec / 1e9 + (double)o->wait;
	for (;;) {
		if ((*note = fetch(base, "/v1/log/checkpoint", 200)) == NULL)
			return -1;
		rc = check_cp(cp, *note, key, o, used, err);
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = until - ((double)now.tv_sec + now.tv_nsec / 1e9);
		if (rc != MF_E_FORBIDDEN || left <= 0)
			return rc;
		free(*note);
		*note = NULL;
		mf_checkpoint_dispose(cp);
		mf_error_dispose(err);
		mf_error_init(err);
		/* Once a second, the last pause ending at the deadline. */
		left = left < 1.0 ? left : 1.0;
		pause.tv_sec = (time_t)left;
		pause.tv_nsec = (long)((left - (double)pause.tv_sec) * 1e9);
		nanosleep(&pause, NULL);
	}
}

/*
 * A log key rotation's overlap (README "### Rotating keys"): when the
 * registry lists a next key and it too signed the checkpoint the pinned
 * key just verified, the pin moves to it, so this client keeps following
 * once the old key is retired.
 */
static void
move_pin(const char *base, const char *note, char **key)
{
	struct mf_checkpoint cp;
	struct mf_error err;
	json_t *reg = NULL, *k;
	char *text;
	const char *next;
	size_t i;

	if ((text = fetch(base, "/v1/registry", 200)) == NULL)
		return;
	reg = json_loads(text, 0, NULL);
	free(text);
	json_array_foreach(json_object_get(reg, "log_public_keys"), i, k)
	{
		next = mf_json_str(k, "public_key");
		if (next == NULL || mf_json_str(k, "status") == NULL ||
		    strcmp(mf_json_str(k, "status"), "next") != 0)
			continue;
		mf_error_init(&err);
		if (open_checkpoint(&cp, note, next, &err) == 0) {
			printf("the log key moves to %s: the checkpoint is "
			       "signed by it and by the pinned key; pinned\n",
			       next);
			free(*key);
			*key = strdup(next);
		}
		mf_checkpoint_dispose(&cp);
		mf_error_dispose(&err);
		if (*key == NULL)
			break;
	}
	json_decref(reg);
}

/* --key, else the pinned key, else the registry's (trust on first use). */
static char *
resolve_key(const struct opts *o, const char *base, json_t *state)
{
	const char *pinned = mf_json_str(state, "key");
	json_t *reg;
	char *text, *key = NULL;

	if (o->key != NULL)
		return strdup(o->key);
	if (pinned != NULL)
		return strdup(pinned);
	if ((text = fetch(base, "/v1/registry", 200)) == NULL)
		return NULL;
	reg = json_loads(text, 0, NULL);
	if (mf_json_str(reg, "log_public_key") != NULL) {
		if ((key = strdup(mf_json_str(reg, "log_public_key"))) != NULL)
			fprintf(stderr,
			        "trusting the log key %s on first use\n", key);
	}
	json_decref(reg);
	free(text);
	return key;
}

static int
save_state(const char *path, const char *base, const char *key,
           const char *note)
{
	char tmp[4200];
	json_t *s = json_pack("{s:s, s:s, s:s}", "registry", base, "key", key,
	                      "checkpoint", note);
	int rc;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	rc = s && json_dump_file(s, tmp, JSON_INDENT(2)) == 0 &&
	             rename(tmp, path) == 0
	         ? 0
	         : -1;
	json_decref(s);
	if (rc != 0)
		fprintf(stderr, "modelfacts verify-log: cannot write %s\n",
		        path);
	return rc;
}

static int
cmd_follow(struct opts *o)
{
	const char *base = mf_cli_registry_url(o->registry);
	const char *statef = o->state ? o->state : ".modelfacts-log.json";
	struct mf_checkpoint old, cur;
	struct mf_error err;
	char path[256], *key = NULL, *note = NULL, *ptext = NULL, *pin = NULL;
	json_t *state = NULL, *proof = NULL;
	const char *old_note, *used;
	int rc = MF_EXIT_USAGE;

	mf_error_init(&err);
	mf_checkpoint_init(&old);
	mf_checkpoint_init(&cur);
	if (access(statef, F_OK) == 0 && (state = load_json(statef)) == NULL)
		goto done;
	if (!policy_logs(o) && (key = resolve_key(o, base, state)) == NULL) {
		fprintf(stderr, "modelfacts verify-log: no log key\n");
		goto done;
	}
	if (key != NULL && mf_json_str(state, "key") != NULL &&
	    strcmp(mf_json_str(state, "key"), key) != 0) {
		rc = fail("the registry's log key is not the one pinned in the "
		          "state file",
		          NULL);
		goto done;
	}
	if (fetch_checkpoint(base, key, o, &cur, &note, &used, &err) != 0) {
		if (note != NULL)
			rc = fail("the registry's checkpoint", &err);
		goto done;
	}
	/* The key that verified is the one to pin (the policy's log). */
	if ((pin = strdup(used)) == NULL)
		goto done;
	free(key);
	key = pin;
	old_note = mf_json_str(state, "checkpoint");
	if (old_note != NULL) {
		if (open_checkpoint(&old, old_note, key, &err) != 0) {
			rc = fail("the remembered checkpoint", &err);
			goto done;
		}
		if (old.size > 0 && old.size < cur.size) {
			snprintf(path, sizeof(path),
			         "/v1/log/proof/consistency?from=%" PRIu64
			         "&to=%" PRIu64,
			         old.size, cur.size);
			if ((ptext = fetch(base, path, 200)) == NULL)
				goto done;
			proof = json_loads(ptext, 0, NULL);
		}
		if ((rc = check_consistency(&old, &cur, proof)) != 0)
			goto done;
		printf("verified: %s grew from %" PRIu64 " to %" PRIu64
		       " entries without rewriting history\n",
		       cur.origin, old.size, cur.size);
	} else {
		printf("verified: %s has %" PRIu64 " entries (first "
		       "checkpoint remembered)\n",
		       cur.origin, cur.size);
	}
	move_pin(base, note, &key);
	rc = key != NULL && save_state(statef, base, key, note) == 0
	         ? MF_EXIT_OK
	         : MF_EXIT_USAGE;
done:
	mf_checkpoint_dispose(&old);
	mf_checkpoint_dispose(&cur);
	mf_error_dispose(&err);
	json_decref(state);
	json_decref(proof);
	free(key);
	free(note);
	free(ptext);
	return rc;
}

static int
cmd_entry(struct opts *o, int argc, char **argv)
{
	const char *base = mf_cli_registry_url(o->registry);
	struct mf_checkpoint cp;
	struct mf_error err;
	char path[256], *key = NULL, *note = NULL, *etext = NULL, *ptext = NULL;
	char want[MF_SHA256_HEX_LEN + 2], have[MF_SHA256_HEX_LEN + 1];
	json_t *entry = NULL, *proof = NULL, *env;
	uint8_t lh[HASH], *payload = NULL;
	size_t plen;
	int rc = MF_EXIT_USAGE;
	char *end;
	unsigned long long index;

	if (optind != argc - 1)
		return MF_EXIT_USAGE;
	index = strtoull(argv[optind], &end, 10);
	if (*end != '\0')
		return MF_EXIT_USAGE;
	mf_error_init(&err);
	mf_checkpoint_init(&cp);
	if (!policy_logs(o) && (key = resolve_key(o, base, NULL)) == NULL)
		goto done;
	if (fetch_checkpoint(base, key, o, &cp, &note, NULL, &err) != 0) {
		if (note != NULL)
			rc = fail("checkpoint", &err);
		goto done;
	}
	snprintf(path, sizeof(path), "/v1/log/entries/%llu", index);
	if ((etext = fetch(base, path, 200)) == NULL)
		goto done;
	snprintf(path, sizeof(path),
	         "/v1/log/proof/inclusion?index=%llu&size=%" PRIu64, index,
	         cp.size);
	if ((ptext = fetch(base, path, 200)) == NULL)
		goto done;
	entry = json_loads(etext, 0, NULL);
	proof = json_loads(ptext, 0, NULL);
	if (mf_json_str(entry, "leaf") == NULL) {
		rc = fail("the entry has no leaf text", NULL);
		goto done;
	}
	/* The leaf names the envelope's payload: check it against the bytes. */
	env = json_object_get(entry, "envelope");
	if (mf_json_str(env, "payload") == NULL ||
	    mf_base64_decode(&payload, &plen, mf_json_str(env, "payload"),
	                     strlen(mf_json_str(env, "payload"))) != 0 ||
	    mf_log_entry_get(mf_json_str(entry, "leaf"), "payload-sha256", want,
	                     sizeof(want)) != 0) {
		rc = fail("the entry's envelope or leaf is malformed", NULL);
		goto done;
	}
	mf_sha256_hex(have, payload, plen);
	if (strcmp(want, have) != 0) {
		rc = fail("the leaf names another payload than the envelope's",
		          NULL);
		goto done;
	}
	leaf_hash_of(mf_json_str(entry, "leaf"), lh);
	rc = check_inclusion(&cp, proof, lh);
done:
	mf_checkpoint_dispose(&cp);
	mf_error_dispose(&err);
	json_decref(entry);
	json_decref(proof);
	free(payload);
	free(key);
	free(note);
	free(etext);
	free(ptext);
	return rc;
}

/* Writes len bytes to path through a temporary file; 0 or -1 (printed). */
static int
write_atomically(const char *path, const char *data, size_t len)
{
	char tmp[4200];
	FILE *f;
	int ok;

	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
	if ((f = fopen(tmp, "wb")) == NULL) {
		fprintf(stderr, "modelfacts verify-log: cannot write %s\n",
		        path);
		return -1;
	}
	ok = fwrite(data, 1, len, f) == len;
	ok = fclose(f) == 0 && ok && rename(tmp, path) == 0;
	if (!ok) {
		unlink(tmp);
		fprintf(stderr, "modelfacts verify-log: cannot write %s\n",
		        path);
		return -1;
	}
	return 0;
}

/*
 * verify-log proof --write FILE INDEX: the checkpoint (with the
 * cosignatures the registry serves on it, kept verbatim), the entry and
 * its proof from the registry, checked here (with --policy, the quorum
 * too) before they are written.
 */
static int
proof_write(struct opts *o, unsigned long long index)
{
	const char *base = mf_cli_registry_url(o->registry);
	uint8_t hashes[MF_MERKLE_MAX_PROOF][HASH], lh[HASH];
	struct mf_buf out = MF_BUF_INIT;
	struct mf_checkpoint cp;
	struct mf_error err;
	char path[256], *key = NULL, *note = NULL, *leaf = NULL, *ptext = NULL;
	char sha[MF_SHA256_HEX_LEN + 2];
	json_t *proof = NULL;
	size_t n;
	int rc = MF_EXIT_USAGE;

	mf_error_init(&err);
	mf_checkpoint_init(&cp);
	/* 1. The latest checkpoint, verified. */
	if (!policy_logs(o) && (key = resolve_key(o, base, NULL)) == NULL)
		goto done;
	if (fetch_checkpoint(base, key, o, &cp, &note, NULL, &err) != 0) {
		if (note != NULL)
			rc = fail("checkpoint", &err);
		goto done;
	}
	/* 2. The entry as hashed, and its path to that checkpoint. */
	snprintf(path, sizeof(path), "/v1/log/entries/%llu?format=leaf", index);
	if ((leaf = fetch(base, path, 200)) == NULL)
		goto done;
	snprintf(path, sizeof(path),
	         "/v1/log/proof/inclusion?index=%llu&size=%" PRIu64, index,
	         cp.size);
	if ((ptext = fetch(base, path, 200)) == NULL)
		goto done;
	proof = json_loads(ptext, 0, NULL);
	if (proof_hashes(proof, hashes, &n) != 0) {
		rc = fail("the registry's proof is malformed", NULL);
		goto done;
	}
	/* 3. Checked before anything is written. */
	if (o->want_sha != NULL &&
	    (mf_log_entry_get(leaf, "payload-sha256", sha, sizeof(sha)) != 0 ||
	     strcmp(sha, o->want_sha) != 0)) {
		rc = fail("that log entry is for another payload than the "
		          "envelope's",
		          NULL);
		goto done;
	}
	leaf_hash_of(leaf, lh);
	if (mf_merkle_verify_inclusion(index, cp.size, lh,
	                               (const uint8_t(*)[HASH])hashes, n,
	                               cp.root) != 0) {
		rc = fail("the registry's proof does not lead to its "
		          "checkpoint's root",
		          NULL);
		goto done;
	}
	/* 4. The file. */
	if (mf_tlog_proof_format(&out, (const uint8_t *)leaf, strlen(leaf),
	                         index, (const uint8_t(*)[HASH])hashes, n, note,
	                         strlen(note)) != 0 ||
	    write_atomically(o->write, out.data, out.len) != 0)
		goto done;
	printf("wrote %s: entry %llu in the log of size %" PRIu64 " (%s)\n",
	       o->write, index, cp.size, cp.origin);
	rc = MF_EXIT_OK;
done:
	mf_checkpoint_dispose(&cp);
	mf_error_dispose(&err);
	mf_buf_dispose(&out);
	json_decref(proof);
	free(key);
	free(note);
	free(leaf);
	free(ptext);
	return rc;
}

static int
cmd_proof_write(struct opts *o, int argc, char **argv)
{
	unsigned long long index;
	char *end;

	if (optind != argc - 1)
		return MF_EXIT_USAGE;
	index = strtoull(argv[optind], &end, 10);
	if (*argv[optind] < '0' || *argv[optind] > '9' || *end != '\0')
		return MF_EXIT_USAGE;
	return proof_write(o, index);
}

/*
 * verify-log proof --key KEY [--policy FILE] [--leaf FILE] FILE:
 * offline, from the file and the keys alone.
 */
static int
proof_verify(struct opts *o, const char *file)
{
	struct mf_tlog_proof p = {0};
	struct mf_checkpoint cp;
	struct mf_error err;
	uint8_t lh[HASH];
	char *text = NULL, *leaf = NULL, *note = NULL;
	char sha[MF_SHA256_HEX_LEN + 2], kind[64], subject[512];
	const char *entry;
	size_t len, elen;
	int rc = MF_EXIT_USAGE;

	if (!have_log_key(o))
		return MF_EXIT_USAGE;
	mf_error_init(&err);
	mf_checkpoint_init(&cp);
	/* 1. The file, strictly. */
	if ((text = mf_cli_read_file(file, MF_TLOG_PROOF_MAX, &len)) == NULL)
		goto done;
	if (mf_tlog_proof_parse(&p, text, len, &err) != 0) {
		rc = fail(file, &err);
		goto done;
	}
	/* 2. The checkpoint's signature (and its witnesses, --policy). */
	if ((note = strndup(p.checkpoint, p.checkpoint_len)) == NULL)
		goto done;
	if (check_cp(&cp, note, o->key, o, NULL, &err) != 0) {
		rc = fail("checkpoint", &err);
		goto done;
	}
	/* 3. The entry: --leaf, which must agree with the file's own. */
	if (o->leaf != NULL) {
		if ((leaf = mf_cli_read_file(o->leaf, 65536, &elen)) == NULL)
			goto done;
		if (p.extra != NULL &&
		    (p.extra_len != elen || memcmp(p.extra, leaf, elen) != 0)) {
			rc = fail("the proof is for another entry than --leaf",
			          NULL);
			goto done;
		}
		entry = leaf;
	} else if (p.extra != NULL) {
		entry = (const char *)p.extra;
		elen = p.extra_len;
	} else {
		fprintf(stderr, "modelfacts verify-log: the proof carries no "
		                "entry: give --leaf FILE\n");
		goto done;
	}
	/* 4. Up the path to the signed root. */
	mf_merkle_leaf_hash(lh, entry, elen);
	if (mf_merkle_verify_inclusion(p.index, cp.size, lh,
	                               (const uint8_t(*)[HASH])p.path, p.n,
	                               cp.root) != 0) {
		rc = fail("the inclusion proof does not lead to the "
		          "checkpoint's root",
		          NULL);
		goto done;
	}
	/* 5. For `modelfacts verify --proof`: the entry names the payload. */
	if (o->want_sha != NULL &&
	    (memchr(entry, '\0', elen) != NULL ||
	     mf_log_entry_get(entry, "payload-sha256", sha, sizeof(sha)) != 0 ||
	     strcmp(sha, o->want_sha) != 0)) {
		rc = fail("the proof's log entry is for another payload than "
		          "the envelope's",
		          NULL);
		goto done;
	}
	printf("verified: entry %" PRIu64 " is in the log of size %" PRIu64
	       " (%s)\n",
	       p.index, cp.size, cp.origin);
	if (memchr(entry, '\0', elen) == NULL &&
	    mf_log_entry_get(entry, "payload-sha256", sha, sizeof(sha)) == 0 &&
	    mf_log_entry_get(entry, "kind", kind, sizeof(kind)) == 0 &&
	    mf_log_entry_get(entry, "subject", subject, sizeof(subject)) == 0)
		printf("  %s of %s, payload-sha256 %s\n", kind, subject, sha);
	rc = MF_EXIT_OK;
done:
	mf_tlog_proof_dispose(&p);
	mf_checkpoint_dispose(&cp);
	mf_error_dispose(&err);
	free(text);
	free(leaf);
	free(note);
	return rc;
}

static int
cmd_proof_verify(struct opts *o, int argc, char **argv)
{
	if (optind != argc - 1)
		return MF_EXIT_USAGE;
	return proof_verify(o, argv[optind]);
}

int
mf_cli_tlog_proof(const char *file, int write, unsigned long long index,
                  const char *registry, const char *key, const char *policy,
                  long wait, const char *want_sha)
{
	struct opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.key = key;
	o.registry = registry;
	o.policy = policy;
	o.write = write ? file : NULL;
	o.want_sha = want_sha;
	o.wait = wait;
	if ((rc = load_policy(&o)) != MF_EXIT_OK)
		return rc;
	if (write)
		rc = proof_write(&o, index);
	else if (!have_log_key(&o)) {
		fprintf(stderr, "modelfacts verify: --proof needs the log's "
		                "key: --key KEY or a --policy with a log "
		                "line\n");
		rc = MF_EXIT_USAGE;
	} else
		rc = proof_verify(&o, file);
	mf_policy_free(o.pol);
	return rc;
}

int
cmd_verify_log(int argc, char **argv)
{
	struct opts o;
	const char *sub;
	size_t i;
	int rc;

	if (argc < 2) {
		usage(stderr);
		return MF_EXIT_USAGE;
	}
	sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
		usage(stdout);
		return MF_EXIT_OK;
	}
	for (i = 0; i < N_SUBS && strcmp(subs[i].name, sub) != 0; i++)
		;
	if (i == N_SUBS) {
		fprintf(stderr, "modelfacts verify-log: unknown command '%s'\n",
		        sub);
		usage(stderr);
		return MF_EXIT_USAGE;
	}
	if ((rc = parse_opts(argc - 1, argv + 1, &o)) != 0)
		return rc > 0 ? MF_EXIT_OK : MF_EXIT_USAGE;
	if ((rc = load_policy(&o)) != MF_EXIT_OK)
		return rc;
	argc--;
	argv++;
	if (strcmp(sub, "checkpoint") == 0)
		rc = cmd_checkpoint(&o, argc, argv);
	else if (strcmp(sub, "receipt") == 0)
		rc = cmd_receipt(&o, argc, argv);
	else if (strcmp(sub, "inclusion") == 0)
		rc = cmd_inclusion(&o);
	else if (strcmp(sub, "consistency") == 0)
		rc = cmd_consistency(&o);
	else if (strcmp(sub, "follow") == 0)
		rc = cmd_follow(&o);
	else if (strcmp(sub, "entry") == 0)
		rc = cmd_entry(&o, argc, argv);
	else if (strcmp(sub, "proof") == 0)
		rc = o.write ? cmd_proof_write(&o, argc, argv)
		             : cmd_proof_verify(&o, argc, argv);
	else
		rc = MF_EXIT_USAGE;
	if (rc == MF_EXIT_USAGE && !have_log_key(&o) && strcmp(sub, "follow") &&
	    strcmp(sub, "entry") && !(strcmp(sub, "proof") == 0 && o.write)) {
		usage_of(stderr, sub);
		if (o.pol != NULL)
			fprintf(stderr,
			        "modelfacts verify-log: %s has no log line: "
			        "give --key KEY\n",
			        o.policy);
	}
	mf_policy_free(o.pol);
	return rc;
}
