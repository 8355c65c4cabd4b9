/*
 * modelfacts verify: checks a signed envelope offline against a public
 * key: the signature over DSSE's PAE, with the key's own algorithm; and,
 * with --proof, that the registry logged it: a C2SP tlog-proof file for
 * the envelope's log entry, checked offline (its checkpoint's witnesses
 * against a tlog-policy with --policy), or written with --write-proof.
 */
#include "cli/commands.h"
#include "cli/util.h"
#include "common/digest.h"
#include "common/json.h"
#include "envelope/dsse.h"
#include "envelope/keys.h"
#include "envelope/verify.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
usage(FILE *out)
{
	fprintf(out,
	        "usage: modelfacts verify ENVELOPE --pubkey KEY\n"
	        "           [--proof FILE [--key LOGKEY] [--policy POLICY]]\n"
	        "       modelfacts verify ENVELOPE --pubkey KEY --write-proof "
	        "FILE\n"
	        "           [--registry URL] [--index N] [--key LOGKEY] "
	        "[--policy POLICY]\n"
	        "           [--wait SECONDS]\n\n"
	        "Verifies the envelope's signature offline with KEY (PEM "
	        "SubjectPublicKeyInfo\nor an ssh-ed25519 line). Prints the "
	        "payload type and the payload's SHA-256.\n"
	        "With --proof, also verifies offline that the registry "
	        "logged this payload:\nFILE is a C2SP tlog-proof "
	        "(c2sp.org/tlog-proof) whose log entry names the\npayload's "
	        "SHA-256, included in a checkpoint signed by the log "
	        "(LOGKEY, or the\nlog lines of POLICY) and, with --policy, "
	        "cosigned by a quorum of its witnesses.\nWith --write-proof, "
	        "fetches that proof from the registry (the entry of the\n"
	        "disclosure version with this payload, or entry N), checks "
	        "it, and writes FILE.\nExit 0 verified, 1 not verified, 2 "
	        "usage or I/O error.\n\n"
	        "  --pubkey KEY        the signer's public key file\n"
	        "  --proof FILE        a tlog-proof of the envelope's log "
	        "entry, checked offline\n"
	        "  --write-proof FILE  fetch and write that tlog-proof\n"
	        "  --key LOGKEY        the log's verifier key "
	        "(<origin>+<hash>+<key>)\n"
	        "  --policy POLICY     a C2SP tlog-policy file: its log "
	        "lines and witness quorum\n"
	        "  --registry URL      with --write-proof (else "
	        "$MODELFACTS_URL, else\n"
	        "                      http://127.0.0.1:8080)\n"
	        "  --index N           with --write-proof: the log entry "
	        "(else found from the\n"
	        "                      disclosure's model and payload)\n"
	        "  --wait SECONDS      with --write-proof and --policy: ask "
	        "again every second\n"
	        "                      while the latest checkpoint lacks the "
	        "quorum\n\n"
	        "examples:\n"
	        "  modelfacts verify envelope.json --pubkey acme.pub\n"
	        "  modelfacts verify envelope.json --pubkey acme.pub "
	        "--write-proof v1.tlog-proof\n"
	        "  modelfacts verify envelope.json --pubkey acme.pub --proof "
	        "v1.tlog-proof \\\n"
	        "      --policy regulator.policy\n");
}

/*
 * The log index of the disclosure version whose payload has digest sha:
 * from GET /v1/models/{org}/{model}/versions, the subject the payload
 * names. 0, or -1 with the reason printed.
 */
static int
find_index(const char *registry, const struct mf_dsse *env, const char *sha,
           unsigned long long *index)
{
	char url[2048];
	struct mf_buf b = MF_BUF_INIT;
	json_t *payload = NULL, *list = NULL, *subject, *v;
	const char *org, *model;
	long status;
	size_t i;
	int rc = -1;

	payload =
	    json_loadb((const char *)env->payload, env->payload_len, 0, NULL);
	subject = json_object_get(payload, "subject");
	org = mf_json_str(subject, "org");
	model = mf_json_str(subject, "model");
	if (org == NULL || model == NULL || strpbrk(org, "/?#%") != NULL ||
	    strpbrk(model, "/?#%") != NULL) {
		fprintf(stderr, "modelfacts verify: the payload names no "
		                "model (subject.org, subject.model): give "
		                "--index N\n");
		goto done;
	}
	snprintf(url, sizeof(url), "%s/v1/models/%s/%s/versions",
	         mf_cli_registry_url(registry), org, model);
	if (mf_cli_http("GET", url, NULL, 0, NULL, &status, &b) != 0)
		goto done;
	if (status != 200) {
		fprintf(stderr, "modelfacts verify: GET %s: ", url);
		mf_cli_print_api_error(status, b.data);
		goto done;
	}
	list = json_loads(b.data, 0, NULL);
	json_array_foreach(json_object_get(list, "versions"), i, v)
	{
		const char *digest = mf_json_str(v, "payload_sha256");
		json_t *li = json_object_get(v, "log_index");

		if (digest == NULL || strcmp(digest, sha) != 0)
			continue;
		if (!json_is_integer(li) || json_integer_value(li) < 0) {
			fprintf(stderr,
			        "modelfacts verify: %s/%s version "
			        "%lld is not in the log yet; try again "
			        "in a moment\n",
			        org, model,
			        (long long)json_integer_value(
			            json_object_get(v, "version")));
			goto done;
		}
		*index = (unsigned long long)json_integer_value(li);
		rc = 0;
		goto done;
	}
	fprintf(stderr,
	        "modelfacts verify: no version of %s/%s has this payload "
	        "(a disclosure's); give --index N for other documents\n",
	        org, model);
done:
	json_decref(payload);
	json_decref(list);
	mf_buf_dispose(&b);
	return rc;
}

int
cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"pubkey", required_argument, NULL, 'p'},
	    {"proof", required_argument, NULL, 'f'},
	    {"write-proof", required_argument, NULL, 'w'},
	    {"key", required_argument, NULL, 'k'},
	    {"policy", required_argument, NULL, 'P'},
	    {"registry", required_argument, NULL, 'r'},
	    {"index", required_argument, NULL, 'i'},
	    {"wait", required_argument, NULL, 'W'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *pubkey = NULL, *proof = NULL, *write = NULL, *logkey = NULL;
	const char *policy = NULL, *registry = NULL, *index_s = NULL;
	unsigned long long index = 0;
	long wait = 0;
	char *end;
	struct mf_dsse *env = NULL;
	struct mf_key *key = NULL;
	struct mf_error err;
	char hex[MF_SHA256_HEX_LEN + 1];
	char *text = NULL, *ktext = NULL;
	size_t len, klen, which;
	int c, rc = MF_EXIT_USAGE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			pubkey = optarg;
			break;
		case 'f':
			proof = optarg;
			break;
		case 'w':
			write = optarg;
			break;
		case 'k':
			logkey = optarg;
			break;
		case 'P':
			policy = optarg;
			break;
		case 'r':
			registry = optarg;
			break;
		case 'i':
			index_s = optarg;
			break;
		case 'W':
			wait = strtol(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end != '\0' ||
			    wait > 3600) {
				fprintf(stderr,
				        "modelfacts verify: --wait: 0 to "
				        "3600 seconds\n");
				return MF_EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return MF_EXIT_OK;
		default:
			usage(stderr);
			return MF_EXIT_USAGE;
		}
	}
	if (pubkey == NULL || optind != argc - 1 || (proof && write) ||
	    ((index_s || wait) && !write) ||
	    ((logkey || policy) && !proof && !write)) {
		usage(stderr);
		return MF_EXIT_USAGE;
	}
	if (index_s != NULL) {
		index = strtoull(index_s, &end, 10);
		if (*index_s < '0' || *index_s > '9' || *end != '\0') {
			fprintf(stderr, "modelfacts verify: --index: a log "
			                "index\n");
			return MF_EXIT_USAGE;
		}
	}
	mf_error_init(&err);
	if ((text = mf_cli_read_file(argv[optind], 64u << 20, &len)) == NULL ||
	    (ktext = mf_cli_read_file(pubkey, 65536, &klen)) == NULL)
		goto done;
	if (mf_key_parse_public(&key, ktext, klen, &err) != 0) {
		fprintf(stderr, "modelfacts verify: %s: %s\n", pubkey,
		        err.message);
		goto done;
	}
	if (mf_dsse_parse(&env, text, len, 64u << 20, &err) != 0) {
		fprintf(stderr, "modelfacts verify: %s: %s%s%s\n", argv[optind],
		        err.message, err.pointer[0] ? " at " : "", err.pointer);
		rc = MF_EXIT_FAIL;
		goto done;
	}
	if (mf_dsse_verify(env, key, NULL, &which, &err) != 0) {
		printf("NOT VERIFIED: %s\n", err.message);
		rc = MF_EXIT_FAIL;
		goto done;
	}
	mf_sha256_hex(hex, env->payload, env->payload_len);
	printf("verified: signature %zu by key %s (%s)\n", which,
	       mf_key_id(key), mf_key_alg_name(mf_key_alg(key)));
	printf("payload type: %s\npayload sha256: %s\n", env->payload_type,
	       hex);
	/* The log: a tlog-proof whose entry names this payload. */
	if (write != NULL) {
		if (index_s == NULL &&
		    find_index(registry, env, hex, &index) != 0) {
			rc = MF_EXIT_USAGE;
			goto done;
		}
		rc = mf_cli_tlog_proof(write, 1, index, registry, logkey,
		                       policy, wait, hex);
		goto done;
	}
	if (proof != NULL) {
		rc = mf_cli_tlog_proof(proof, 0, 0, NULL, logkey, policy, 0,
		                       hex);
		goto done;
	}
	rc = MF_EXIT_OK;
done:
	mf_dsse_free(env);
	mf_key_free(key);
	free(text);
	free(ktext);
	mf_error_dispose(&err);
	return rc;
}
