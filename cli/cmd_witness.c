/*
 * modelfacts witness: runs a C2SP tlog-witness (witness/) that cosigns
 * the checkpoints of the logs it is given, so that a log cannot show one
 * history to some readers and another to others without a witness
 * noticing; `witness keygen` makes its key, `witness evidence` lists the
 * split views it recorded.
 */
#include "cli/commands.h"
#include "cli/util.h"
#include "common/diag.h"
#include "common/file.h"
#include "envelope/keys.h"
#include "merkle/cosignature.h"
#include "witness/server.h"
#include "witness/state.h"
#include "witness/witness.h"

#include <getopt.h>
#include <openssl/crypto.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_LISTEN "127.0.0.1:7380"
#define KEY_FILE_MAX   4096

static void
usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: modelfacts witness --key FILE --state DIR --log VKEY "
	    "[--log VKEY]...\n"
	    "                          [--listen ADDR:PORT] [--threads N]\n"
	    "       modelfacts witness keygen NAME [--out PREFIX]\n"
	    "       modelfacts witness evidence --state DIR\n\n"
	    "Serves the C2SP tlog-witness v1.0.0 API: POST /add-checkpoint "
	    "takes a log's\nsigned checkpoint with the old size and a "
	    "consistency proof, checks them\nagainst the checkpoint it "
	    "cosigned last for that log, stores the new one\ndurably and "
	    "answers a C2SP tlog-cosignature v1.0.1 (cosignature/v1,\n"
	    "Ed25519) line. GET /<sha256 of origin>/checkpoint serves the "
	    "latest cosigned\ncheckpoint, GET /evidence the split views it "
	    "was shown (a JSON array).\nStops on SIGINT or SIGTERM.\n\n"
	    "  --key FILE          the witness's private key (witness "
	    "keygen)\n"
	    "  --state DIR         its state: one file per log, and "
	    "evidence/\n"
	    "  --log VKEY          a log it witnesses: the log's signed-note "
	    "verifier key,\n"
	    "                      whose name is the log's origin "
	    "(repeatable)\n"
	    "  --listen ADDR:PORT  where to listen (default " DEFAULT_LISTEN
	    ")\n"
	    "  --threads N         worker threads (default 2)\n\n"
	    "examples:\n"
	    "  modelfacts witness keygen witness.example.org/w1 --out w1\n"
	    "  modelfacts witness --key w1.key --state /var/lib/w1 "
	    "--log \"$(cat log.vkey)\"\n"
	    "  modelfacts witness evidence --state /var/lib/w1\n");
}

static void
usage_keygen(FILE *out)
{
	fprintf(
	    out,
	    "usage: modelfacts witness keygen NAME [--out PREFIX]\n\n"
	    "Makes a witness's cosigning key pair: PREFIX.key (private, "
	    "mode 0600) and\nPREFIX.vkey (its verifier key, "
	    "NAME+hash+base64 of 0x04 and the Ed25519\npublic key, what "
	    "logs and clients are given), and prints the verifier key.\n"
	    "NAME should be a schema-less URL naming the witness. "
	    "Existing files are\nnever overwritten. Default PREFIX: "
	    "witness.\n\n"
	    "  --out PREFIX  where to write PREFIX.key and PREFIX.vkey\n\n"
	    "examples:\n"
	    "  modelfacts witness keygen witness.example.org/w1 --out w1\n");
}

static void
usage_evidence(FILE *out)
{
	fprintf(out,
	        "usage: modelfacts witness evidence --state DIR\n\n"
	        "Prints the split views the witness with state DIR recorded, "
	        "as the JSON array\nGET /evidence answers (the newest %d, "
	        "oldest first): each has the origin,\nthe kind "
	        "(same_size_different_root, a proof of a fork by itself; "
	        "inconsistent or\nsmaller_after_larger, leads to check "
	        "against the log), the checkpoint it had\ncosigned, the one "
	        "it was shown, the old size and proof it was given. Exit 0\n"
	        "when there is none, 1 when there is evidence, 2 when DIR "
	        "cannot be read.\n\n"
	        "  --state DIR  the witness's state directory\n\n"
	        "examples:\n"
	        "  modelfacts witness evidence --state /var/lib/w1\n",
	        MF_WITNESS_EVIDENCE_LIST);
}

static int
cmd_witness_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"out", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *prefix = "witness";
	char *skey = NULL, *vkey = NULL, path[4096];
	struct mf_error err;
	FILE *f;
	int c, rc = MF_EXIT_USAGE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			prefix = optarg;
			break;
		case 'h':
			usage_keygen(stdout);
			return MF_EXIT_OK;
		default:
			usage_keygen(stderr);
			return MF_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		usage_keygen(stderr);
		return MF_EXIT_USAGE;
	}
	mf_error_init(&err);
	/* 1. The pair, the private half never overwriting a file. */
	if (mf_cosig_generate_key(&skey, &vkey, argv[optind], &err) != 0)
		goto fail;
	snprintf(path, sizeof(path), "%s.key", prefix);
	if (mf_key_write_secret_file(path, skey, &err) != 0)
		goto fail;
	/* 2. The public half, and on stdout for the operator. */
	snprintf(path, sizeof(path), "%s.vkey", prefix);
	if ((f = fopen(path, "wx")) == NULL || fprintf(f, "%s\n", vkey) < 0 ||
	    fclose(f) != 0) {
		fprintf(stderr,
		        "modelfacts witness keygen: cannot write %s (does it "
		        "exist?)\n",
		        path);
		goto done;
	}
	printf("%s\n", vkey);
	fprintf(stderr, "wrote %s.key (private, keep it) and %s.vkey\n", prefix,
	        prefix);
	rc = MF_EXIT_OK;
	goto done;
fail:
	fprintf(stderr, "modelfacts witness keygen: %s\n", err.message);
done:
	free(skey);
	free(vkey);
	mf_error_dispose(&err);
	return rc;
}

static int
cmd_witness_evidence(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"state", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *dir = NULL;
	struct mf_error err;
	json_t *list = NULL;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			dir = optarg;
			break;
		case 'h':
			usage_evidence(stdout);
			return MF_EXIT_OK;
		default:
			usage_evidence(stderr);
			return MF_EXIT_USAGE;
		}
	}
	if (optind != argc || dir == NULL) {
		usage_evidence(stderr);
		return MF_EXIT_USAGE;
	}
	mf_error_init(&err);
	if (mf_witness_evidence_list(&list, dir, &err) != 0) {
		fprintf(stderr, "modelfacts witness evidence: %s\n",
		        err.message);
		rc = MF_EXIT_USAGE;
		goto done;
	}
	json_dumpf(list, stdout, JSON_INDENT(2));
	printf("\n");
	fprintf(stderr, "%zu piece(s) of split-view evidence\n",
	        json_array_size(list));
	rc = json_array_size(list) > 0 ? MF_EXIT_FAIL : MF_EXIT_OK;
done:
	json_decref(list);
	mf_error_dispose(&err);
	return rc;
}

/* "ADDR:PORT" or "[V6]:PORT" into addr (n bytes) and *port. */
static int
parse_listen(char *addr, size_t n, unsigned *port, const char *s)
{
	const char *colon = strrchr(s, ':');
	const char *a = s;
	size_t len;
	char *end;
	unsigned long p;

	if (colon == NULL)
		return -1;
	len = (size_t)(colon - s);
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		a = s + 1;
		len -= 2;
	}
	if (len == 0 || len >= n)
		return -1;
	memcpy(addr, a, len);
	addr[len] = '\0';
	p = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || colon[1] == '\0' || p == 0 || p > 65535)
		return -1;
	*port = (unsigned)p;
	return 0;
}

int
cmd_witness(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"key", required_argument, NULL, 'k'},
	    {"state", required_argument, NULL, 's'},
	    {"log", required_argument, NULL, 'l'},
	    {"listen", required_argument, NULL, 'L'},
	    {"threads", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *key_file = NULL, *dir = NULL, *listen = DEFAULT_LISTEN;
	const char **logs = NULL;
	char addr[256], *skey = NULL, *end;
	size_t nlogs = 0, len;
	unsigned port = 0;
	unsigned long threads = 2;
	struct mf_witness *w = NULL;
	struct mf_witness_server *srv = NULL;
	struct mf_error err;
	sigset_t sigs;
	int c, sig, rc = MF_EXIT_USAGE;

	if (argc >= 2 && strcmp(argv[1], "keygen") == 0)
		return cmd_witness_keygen(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "evidence") == 0)
		return cmd_witness_evidence(argc - 1, argv + 1);
	mf_error_init(&err);
	if ((logs = calloc((size_t)argc, sizeof(*logs))) == NULL) {
		fprintf(stderr, "modelfacts witness: out of memory\n");
		goto done;
	}
	/* 1. Options. */
	optind = 1;
	while ((c = getopt_long(argc, argv, "k:s:l:L:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			key_file = optarg;
			break;
		case 's':
			dir = optarg;
			break;
		case 'l':
			logs[nlogs++] = optarg;
			break;
		case 'L':
			listen = optarg;
			break;
		case 't':
			threads = strtoul(optarg, &end, 10);
			if (*end != '\0' || threads == 0 || threads > 64) {
				fprintf(stderr, "modelfacts witness: "
				                "--threads takes 1 to 64\n");
				goto done;
			}
			break;
		case 'h':
			usage(stdout);
			rc = MF_EXIT_OK;
			goto done;
		default:
			usage(stderr);
			goto done;
		}
	}
	if (optind != argc || key_file == NULL || dir == NULL || nlogs == 0) {
		usage(stderr);
		goto done;
	}
	if (parse_listen(addr, sizeof(addr), &port, listen) != 0) {
		fprintf(stderr,
		        "modelfacts witness: --listen takes ADDR:PORT "
		        "(numeric), not '%s'\n",
		        listen);
		goto done;
	}
	/* 2. Its key and its state. */
	if (mf_file_read(&skey, &len, key_file, KEY_FILE_MAX, &err) != 0 ||
	    mf_witness_new(&w, skey, dir, logs, nlogs, &err) != 0) {
		fprintf(stderr, "modelfacts witness: %s\n", err.message);
		goto done;
	}
	/* 3. Signals go to sigwait below, never to the worker threads. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	if (mf_witness_server_start(&srv, w, addr, port, (unsigned)threads,
	                            &err) != 0) {
		fprintf(stderr, "modelfacts witness: %s\n", err.message);
		goto done;
	}
	mf_diag_info("witness %s serving %zu log(s) on %s; verifier key %s; "
	             "state in %s",
	             mf_witness_name(w), mf_witness_nlogs(w), listen,
	             mf_witness_vkey(w), dir);
	/* 4. Until told to stop. */
	while (sigwait(&sigs, &sig) != 0)
		;
	mf_diag_info("witness: %s, stopping",
	             sig == SIGINT ? "SIGINT" : "SIGTERM");
	mf_witness_server_stop(srv);
	rc = MF_EXIT_OK;
done:
	if (skey != NULL)
		OPENSSL_cleanse(skey, strlen(skey));
	free(skey);
	free(logs);
	mf_witness_free(w);
	mf_error_dispose(&err);
	return rc;
}
