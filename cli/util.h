/* Helpers the CLI commands share: files, the registry URL, HTTP. */
#ifndef MF_CLI_UTIL_H
#define MF_CLI_UTIL_H

#include "common/buf.h"

#include <stddef.h>

/* Exit statuses of every command. */
#define MF_EXIT_OK    0
#define MF_EXIT_FAIL  1 /* the check failed / the registry said no */
#define MF_EXIT_USAGE 2 /* usage or I/O error */

/* Reads a whole file (or "-" for stdin) up to max bytes into a new
 * NUL-terminated buffer; prints why on failure and returns NULL. */
char *mf_cli_read_file(const char *path, size_t max, size_t *len);

/* --registry URL, else $MODELFACTS_URL, else http://127.0.0.1:8080;
 * without a trailing slash. Borrowed or static. */
const char *mf_cli_registry_url(const char *flag);

/*
 * The origin (the registry's name inside payloads): --origin NAME, else
 * $MODELFACTS_ORIGIN (the variable the server reads too), else, when url
 * is not NULL, what GET url/v1/registry answers. Copies it into out.
 * Returns 0, or -1 when none was found (quiet: the caller decides
 * whether that is an error).
 */
int mf_cli_origin(char *out, size_t n, const char *flag, const char *url);

/*
 * One HTTP request with libcurl. body may be NULL (GET). extra_header may
 * be NULL ("Authorization: Bearer ..."). *status gets the HTTP status
 * (0 when the request failed, with the reason printed to stderr); the
 * response body goes to resp. Returns 0 or -1.
 */
int mf_cli_http(const char *method, const char *url, const char *body,
                size_t len, const char *extra_header, long *status,
                struct mf_buf *resp);

/*
 * The registry operator's admin token, the first of: the file given
 * (--token-file), the file $MODELFACTS_TOKEN_FILE names,
 * $MODELFACTS_ADMIN_TOKEN itself, and, for a registry on this machine
 * (url on 127.0.0.1, localhost or [::1]), admin.token in the state
 * directory that `make run` recorded for its port (see
 * mf_cli_state_pointer and cli/README.md). New string, or NULL (the
 * reason printed).
 */
char *mf_cli_admin_token(const char *file, const char *url);

/*
 * Where mf_cli_admin_token would read the token: 1 from a file (its path
 * copied into out), 0 from $MODELFACTS_ADMIN_TOKEN, -1 nowhere.
 */
int mf_cli_admin_token_source(char *out, size_t n, const char *file,
                              const char *url);

/*
 * The file where scripts/run.sh records the absolute state directory of
 * the server it started on port: $XDG_STATE_HOME/modelfacts/port-PORT
 * (XDG_STATE_HOME defaulting to ~/.local/state). Writes the path into
 * out; returns 0, or -1 when url is not a loopback http URL with a port
 * (or no home is known).
 */
int mf_cli_state_pointer(char *out, size_t n, const char *url);

/* Prints an API error body readably to stderr. */
void mf_cli_print_api_error(long status, const char *body);

/*
 * A C2SP tlog-proof file for `modelfacts verify --proof` (defined with
 * `verify-log proof` in cmd_verify_log.c). write: fetch entry index, its
 * proof and the latest checkpoint from registry (NULL: the default) and
 * write them to file; else verify file offline. key (the log's verifier
 * key) and policy (a tlog-policy file) may each be NULL, not both when
 * verifying; wait (seconds) is `verify-log --wait` when writing;
 * want_sha (may be NULL) is the payload digest (hex) the entry must name.
 * Returns MF_EXIT_OK, MF_EXIT_FAIL or MF_EXIT_USAGE.
 */
int mf_cli_tlog_proof(const char *file, int write, unsigned long long index,
                      const char *registry, const char *key, const char *policy,
                      long wait, const char *want_sha);

#endif
