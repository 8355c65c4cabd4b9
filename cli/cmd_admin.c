/*
 * modelfacts admin: the registry operator's commands. create-org
 * registers an organisation and its first key (POST /v1/admin/orgs);
 * export-tiles (cmd_export_tiles.c) copies the log to a static host;
 * `admin --help` and `admin create-org --help` print the same usage.
 */
#include "cli/commands.h"
#include "cli/util.h"
#include "common/json.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
usage(FILE *out)
{
	fprintf(out,
	        "usage: modelfacts admin create-org --org ID --name NAME "
	        "--role ROLE\n"
	        "                  --public-key FILE [--registry URL] "
	        "[--token-file FILE]\n\n"
	        "Registers an organisation and its first public key with the "
	        "registry\n(POST /v1/admin/orgs).\n\n"
	        "  --org ID            the organisation's id (lower case, "
	        "digits, '-')\n"
	        "  --name NAME         its display name\n"
	        "  --role ROLE         developer, evaluator, assessor or "
	        "curator\n"
	        "  --public-key FILE   its first public key (PEM, or an "
	        "ssh-ed25519 line)\n"
	        "  --registry URL      the registry (else $MODELFACTS_URL, "
	        "else\n"
	        "                      http://127.0.0.1:8080)\n"
	        "  --token-file FILE   the admin token (else "
	        "$MODELFACTS_TOKEN_FILE, else\n"
	        "                      $MODELFACTS_ADMIN_TOKEN, else the "
	        "state directory\n"
	        "                      `make run` recorded for a registry on "
	        "this machine)\n\n"
	        "Exit 0 registered, 1 the registry refused, 2 usage or I/O "
	        "error.\n\n"
	        "On the server's machine (database and state directory): "
	        "admin backup,\nadmin restore, admin rotate-commit-key, admin "
	        "rotate-log-key (each --help).\n\n"
	        "examples:\n"
	        "  modelfacts admin create-org --org acme --name \"Acme AI\" "
	        "--role developer \\\n"
	        "      --public-key acme.pub\n"
	        "  modelfacts admin create-org --org acme --name \"Acme AI\" "
	        "--role developer \\\n"
	        "      --public-key acme.pub --registry http://127.0.0.1:18700 "
	        "\\\n"
	        "      --token-file /srv/modelfacts/var/admin.token\n");
}

static int
create_org(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"org", required_argument, NULL, 'o'},
	    {"name", required_argument, NULL, 'n'},
	    {"role", required_argument, NULL, 'r'},
	    {"public-key", required_argument, NULL, 'k'},
	    {"registry", required_argument, NULL, 'R'},
	    {"token-file", required_argument, NULL, 'T'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *org = NULL, *name = NULL, *role = NULL, *keyfile = NULL;
	const char *registry = NULL, *tokfile = NULL;
	char url[4096], auth[4200];
	struct mf_buf resp = MF_BUF_INIT;
	char *key = NULL, *token = NULL, *body = NULL;
	json_t *req = NULL, *r;
	size_t klen;
	long status;
	int c, rc = MF_EXIT_USAGE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:n:r:k:R:T:h", opts, NULL)) !=
	       -1) {
		switch (c) {
		case 'o':
			org = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'r':
			role = optarg;
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'R':
			registry = optarg;
			break;
		case 'T':
			tokfile = optarg;
			break;
		case 'h':
			usage(stdout);
			return MF_EXIT_OK;
		default:
			usage(stderr);
			return MF_EXIT_USAGE;
		}
	}
	if (!org || !name || !role || !keyfile || optind != argc) {
		usage(stderr);
		return MF_EXIT_USAGE;
	}
	if ((key = mf_cli_read_file(keyfile, 65536, &klen)) == NULL ||
	    (token = mf_cli_admin_token(tokfile,
	                                mf_cli_registry_url(registry))) == NULL)
		goto done;
	req = json_pack("{s:s, s:s, s:s, s:s}", "org", org, "name", name,
	                "role", role, "public_key", key);
	if (req == NULL || (body = json_dumps(req, JSON_COMPACT)) == NULL)
		goto done;
	snprintf(url, sizeof(url), "%s/v1/admin/orgs",
	         mf_cli_registry_url(registry));
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	if (mf_cli_http("POST", url, body, strlen(body), auth, &status,
	                &resp) != 0)
		goto done;
	if (status != 201) {
		mf_cli_print_api_error(status, resp.data);
		rc = MF_EXIT_FAIL;
		goto done;
	}
	r = json_loads(resp.data, 0, NULL);
	printf("registered %s (%s) with key %s (%s)\n", org, role,
	       mf_json_str(r, "keyid"), mf_json_str(r, "alg"));
	json_decref(r);
	rc = MF_EXIT_OK;
done:
	json_decref(req);
	free(body);
	free(key);
	free(token);
	mf_buf_dispose(&resp);
	return rc;
}

int
cmd_admin(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "create-org") == 0)
		return create_org(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "export-tiles") == 0)
		return mf_cli_admin_export_tiles(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "backup") == 0)
		return mf_cli_admin_backup(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "restore") == 0)
		return mf_cli_admin_restore(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "rotate-commit-key") == 0 ||
	                  strcmp(argv[1], "rotate-log-key") == 0))
		return mf_cli_admin_rotate(argc - 1, argv + 1);
	if (argc >= 2 &&
	    (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return MF_EXIT_OK;
	}
	usage(stderr);
	return MF_EXIT_USAGE;
}
