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
 * One HTTP request with libcurl. body may be NULL (GET). extra_header may
 * be NULL ("Authorization: Bearer ..."). *status gets the HTTP status
 * (0 when the request failed, with the reason printed to stderr); the
 * response body goes to resp. Returns 0 or -1.
 */
int mf_cli_http(const char *method, const char *url, const char *body,
                size_t len, const char *extra_header, long *status,
                struct mf_buf *resp);

/*
 * The registry operator's admin token: from file, else
 * $MODELFACTS_ADMIN_TOKEN, else var/admin.token. New string, or NULL
 * (the reason printed).
 */
char *mf_cli_admin_token(const char *file);

/* Prints an API error body readably to stderr. */
void mf_cli_print_api_error(long status, const char *body);

#endif
