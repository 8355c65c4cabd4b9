/*
 * modelfacts verify: checks a signed envelope offline against a public
 * key: the signature over DSSE's PAE, with the key's own algorithm.
 */
#include "cli/commands.h"
#include "cli/util.h"
#include "common/digest.h"
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
	        "usage: modelfacts verify ENVELOPE --pubkey KEY\n\n"
	        "Verifies the envelope's signature offline with KEY (PEM "
	        "SubjectPublicKeyInfo\nor an ssh-ed25519 line). Prints the "
	        "payload type and the payload's SHA-256.\nExit 0 verified, 1 "
	        "not verified, 2 usage or I/O error.\n\n"
	        "  --pubkey KEY  the signer's public key file\n\n"
	        "examples:\n"
	        "  modelfacts verify envelope.json --pubkey acme.pub\n");
}

int
cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"pubkey", required_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *pubkey = NULL;
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
		case 'h':
			usage(stdout);
			return MF_EXIT_OK;
		default:
			usage(stderr);
			return MF_EXIT_USAGE;
		}
	}
	if (pubkey == NULL || optind != argc - 1) {
		usage(stderr);
		return MF_EXIT_USAGE;
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
	rc = MF_EXIT_OK;
done:
	mf_dsse_free(env);
	mf_key_free(key);
	free(text);
	free(ktext);
	mf_error_dispose(&err);
	return rc;
}
