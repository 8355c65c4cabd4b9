/*
 * modelfacts submit: posts envelopes to a registry and prints what it
 * answered: the record (log index, version, digest) or the error.
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
	        "usage: modelfacts submit [--registry URL] [--json] "
	        "ENVELOPE...\n\n"
	        "Posts each signed envelope to URL/v1/submissions (URL: "
	        "--registry, else\n$MODELFACTS_URL, else "
	        "http://127.0.0.1:8080). Exit 0 when every envelope\nwas "
	        "accepted (now or before), 1 when the registry refused one, 2 "
	        "on usage\nor I/O errors.\n\n"
	        "  --registry URL  the registry (else $MODELFACTS_URL, else "
	        "http://127.0.0.1:8080)\n"
	        "  --json          print the registry's responses as they "
	        "are\n\n"
	        "examples:\n"
	        "  modelfacts submit envelope.json\n"
	        "  modelfacts submit --registry http://127.0.0.1:18700 "
	        "--json a.json b.json\n");
}

int
cmd_submit(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"registry", required_argument, NULL, 'r'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *registry = NULL;
	char url[4096];
	int c, i, as_json = 0, rc = MF_EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "r:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			registry = optarg;
			break;
		case 'j':
			as_json = 1;
			break;
		case 'h':
			usage(stdout);
			return MF_EXIT_OK;
		default:
			usage(stderr);
			return MF_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return MF_EXIT_USAGE;
	}
	snprintf(url, sizeof(url), "%s/v1/submissions",
	         mf_cli_registry_url(registry));
	for (i = optind; i < argc; i++) {
		struct mf_buf resp = MF_BUF_INIT;
		size_t len;
		long status;
		char *env = mf_cli_read_file(argv[i], 64u << 20, &len);
		json_t *r;

		if (env == NULL) {
			rc = MF_EXIT_USAGE;
			continue;
		}
		if (mf_cli_http("POST", url, env, len, NULL, &status, &resp) !=
		    0) {
			free(env);
			mf_buf_dispose(&resp);
			return MF_EXIT_USAGE;
		}
		free(env);
		if (as_json)
			printf("%s", resp.data ? resp.data : "");
		if (status < 200 || status > 299) {
			fprintf(stderr, "%s: refused\n", argv[i]);
			mf_cli_print_api_error(status, resp.data);
			if (rc == MF_EXIT_OK)
				rc = MF_EXIT_FAIL;
		} else if (!as_json) {
			r = json_loads(resp.data ? resp.data : "", 0, NULL);
			printf("%s: %s %s %s/%s version %lld, log index %lld, "
			       "payload sha256:%s\n",
			       argv[i], mf_json_str(r, "status"),
			       mf_json_str(r, "kind"), mf_json_str(r, "org"),
			       mf_json_str(r, "model") ? mf_json_str(r, "model")
			                               : "-",
			       (long long)json_integer_value(
			           json_object_get(r, "version")),
			       (long long)json_integer_value(
			           json_object_get(r, "log_index")),
			       mf_json_str(r, "payload_sha256"));
			json_decref(r);
		}
		mf_buf_dispose(&resp);
	}
	return rc;
}
