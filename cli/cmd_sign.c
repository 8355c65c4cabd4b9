/*
 * modelfacts sign: wraps a payload file in a DSSE envelope signed with
 * one or more private keys (several for a key rotation: the old key and
 * the new). The payload bytes are signed exactly as they are in the file.
 */
#include "cli/commands.h"
#include "cli/util.h"
#include "common/doctype.h"
#include "common/json.h"
#include "envelope/dsse.h"
#include "envelope/intoto.h"
#include "envelope/keys.h"
#include "envelope/verify.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PAYLOAD (4u << 20)

static void
usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: modelfacts sign --key KEY [--key KEY2] [--type TYPE] "
	    "FILE > envelope.json\n\n"
	    "Signs the payload in FILE (\"-\": standard input) over DSSE's "
	    "PAE and prints the\nenvelope. TYPE is disclosure, eval-result, "
	    "assessment, key-event or in-toto\n(default: the payload's "
	    "\"type\", "
	    "or in-toto for an in-toto Statement). "
	    "KEY is a PEM private key (Ed25519, ECDSA P-256, RSA)\nor an "
	    "OpenSSH Ed25519 private key, which signs as SSHSIG "
	    "(namespace\n\"modelfacts\"). A rotation key-event is signed "
	    "with both keys.\n\n"
	    "  --key KEY    a private key file (twice for a key rotation)\n"
	    "  --type TYPE  the payload's type, when it has no \"type\" "
	    "member\n\n"
	    "examples:\n"
	    "  modelfacts sign --key acme.key payload.json > envelope.json\n"
	    "  modelfacts sign --key old.key --key new.key rotation.json > "
	    "rotation.env.json\n");
}

int
cmd_sign(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"key", required_argument, NULL, 'k'},
	    {"type", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *keys[MF_DSSE_MAX_SIGNATURES], *type = NULL, *ptype;
	struct mf_dsse_sig sigs[MF_DSSE_MAX_SIGNATURES];
	struct mf_key *key = NULL;
	struct mf_error err;
	uint8_t *pae = NULL;
	size_t nkeys = 0, nsigs = 0, len, pae_len, i;
	char *payload = NULL, *out = NULL;
	json_t *doc = NULL;
	int c, t, rc = MF_EXIT_USAGE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (nkeys == MF_DSSE_MAX_SIGNATURES) {
				fprintf(stderr,
				        "modelfacts sign: at most %d "
				        "keys\n",
				        MF_DSSE_MAX_SIGNATURES);
				return MF_EXIT_USAGE;
			}
			keys[nkeys++] = optarg;
			break;
		case 't':
			type = optarg;
			break;
		case 'h':
			usage(stdout);
			return MF_EXIT_OK;
		default:
			usage(stderr);
			return MF_EXIT_USAGE;
		}
	}
	if (nkeys == 0 || optind != argc - 1) {
		usage(stderr);
		return MF_EXIT_USAGE;
	}
	mf_error_init(&err);
	memset(sigs, 0, sizeof(sigs));
	if ((payload = mf_cli_read_file(argv[optind], MAX_PAYLOAD, &len)) ==
	    NULL)
		goto done;
	if (type == NULL) {
		doc = mf_json_parse(payload, len, argv[optind], "", &err);
		type = doc ? mf_json_str(doc, "type") : NULL;
		/* an in-toto Statement names itself by _type */
		if (type == NULL && doc != NULL &&
		    mf_json_str(doc, "_type") != NULL &&
		    strcmp(mf_json_str(doc, "_type"),
		           MF_INTOTO_STATEMENT_TYPE) == 0)
			type = "in-toto";
		if (type == NULL) {
			fprintf(stderr, "modelfacts sign: %s: %s\n",
			        argv[optind],
			        doc ? "no \"type\" member; use --type"
			            : err.message);
			goto done;
		}
	}
	if (strcmp(type, "in-toto") == 0)
		ptype = MF_INTOTO_PAYLOAD_TYPE;
	else if ((t = mf_doctype_from_name(type)) < 0) {
		fprintf(stderr, "modelfacts sign: unknown type '%s'\n", type);
		goto done;
	} else
		ptype = mf_doctype_payload_type((enum mf_doctype)t);
	if (mf_dsse_pae(&pae, &pae_len, ptype, strlen(ptype),
	                (const uint8_t *)payload, len) != 0)
		goto done;
	for (i = 0; i < nkeys; i++) {
		if (mf_key_load_private_file(&key, keys[i], NULL, &err) != 0 ||
		    mf_sign_message(&sigs[i].sig, &sigs[i].sig_len, key, pae,
		                    pae_len, NULL, &err) != 0) {
			fprintf(stderr, "modelfacts sign: %s: %s\n", keys[i],
			        err.message);
			rc = MF_EXIT_FAIL;
			goto done;
		}
		if ((sigs[i].keyid = strdup(mf_key_id(key))) == NULL)
			goto done;
		nsigs++;
		mf_key_free(key);
		key = NULL;
	}
	if (mf_dsse_encode(&out, ptype, (const uint8_t *)payload, len, sigs,
	                   nsigs) != 0)
		goto done;
	printf("%s\n", out);
	rc = MF_EXIT_OK;
done:
	for (i = 0; i < MF_DSSE_MAX_SIGNATURES; i++) {
		free(sigs[i].keyid);
		free(sigs[i].sig);
	}
	mf_key_free(key);
	json_decref(doc);
	free(payload);
	free(pae);
	free(out);
	mf_error_dispose(&err);
	return rc;
}
