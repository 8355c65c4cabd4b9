/*
 * modelfacts keygen: a new signing key pair as PEM files, and its key id
 * (the SHA-256 of the public key's SubjectPublicKeyInfo DER).
 */
#include "cli/commands.h"
#include "cli/util.h"
#include "envelope/keys.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
usage(FILE *out)
{
	fprintf(out,
	        "usage: modelfacts keygen [--type ed25519|ecdsa-p256|rsa] "
	        "[--out PREFIX]\n\n"
	        "Writes PREFIX.key (private, PKCS#8 PEM, mode 0600) and "
	        "PREFIX.pub (public,\nSubjectPublicKeyInfo PEM; give it to the "
	        "registry operator) and prints the\nkey id. Defaults: ed25519, "
	        "PREFIX=modelfacts. Existing files are never\noverwritten. "
	        "RSA keys are 3072 bits and sign with RSA-PSS.\n\n"
	        "  --type TYPE   ed25519 (default), ecdsa-p256 or rsa\n"
	        "  --out PREFIX  where to write PREFIX.key and PREFIX.pub\n\n"
	        "examples:\n"
	        "  modelfacts keygen --out acme\n"
	        "  modelfacts keygen --type ecdsa-p256 --out keys/evals\n");
}

int
cmd_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"type", required_argument, NULL, 't'},
	    {"out", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *type = "ed25519", *prefix = "modelfacts";
	char path[4096];
	enum mf_key_alg alg;
	struct mf_key *key = NULL;
	struct mf_error err;
	char *priv = NULL, *pub = NULL;
	int c, rc = MF_EXIT_USAGE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "t:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			type = optarg;
			break;
		case 'o':
			prefix = optarg;
			break;
		case 'h':
			usage(stdout);
			return MF_EXIT_OK;
		default:
			usage(stderr);
			return MF_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return MF_EXIT_USAGE;
	}
	if (strcmp(type, "rsa") == 0)
		alg = MF_KEY_RSA_PSS;
	else if (mf_key_alg_from_name(&alg, type) != 0 ||
	         alg == MF_KEY_SSH_ED25519) {
		fprintf(stderr,
		        "modelfacts keygen: unknown type '%s' (ed25519, "
		        "ecdsa-p256 or rsa)\n",
		        type);
		return MF_EXIT_USAGE;
	}
	mf_error_init(&err);
	if (mf_key_generate(&key, alg, &err) != 0 ||
	    mf_key_private_pem(key, &priv) != 0 ||
	    mf_key_public_pem(key, &pub) != 0)
		goto fail;
	snprintf(path, sizeof(path), "%s.key", prefix);
	if (mf_key_write_secret_file(path, priv, &err) != 0)
		goto fail;
	snprintf(path, sizeof(path), "%s.pub", prefix);
	{
		FILE *f = fopen(path, "wx");

		if (f == NULL || fputs(pub, f) == EOF || fclose(f) != 0) {
			fprintf(stderr,
			        "modelfacts keygen: cannot write %s "
			        "(does it exist?)\n",
			        path);
			goto done;
		}
	}
	printf("%s\n", mf_key_id(key));
	fprintf(stderr, "wrote %s.key (private, keep it) and %s.pub\n", prefix,
	        prefix);
	rc = MF_EXIT_OK;
	goto done;
fail:
	fprintf(stderr, "modelfacts keygen: %s\n",
	        err.message[0] ? err.message : "cannot generate a key");
done:
	free(priv);
	free(pub);
	mf_key_free(key);
	mf_error_dispose(&err);
	return rc;
}
