/* CLI helpers (see util.h). */
#include "cli/util.h"
#include "common/file.h"
#include "common/json.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *
mf_cli_read_file(const char *path, size_t max, size_t *len)
{
	struct mf_error err;
	char *data;

	mf_error_init(&err);
	if (mf_file_read(&data, len, path, max, &err) != 0)
		fprintf(stderr, "modelfacts: %s\n",
		        err.message[0] ? err.message : "out of memory");
	mf_error_dispose(&err);
	return data;
}

const char *
mf_cli_registry_url(const char *flag)
{
	static char url[2048];
	const char *v = flag ? flag : getenv("MODELFACTS_URL");
	size_t n;

	snprintf(url, sizeof(url), "%s", v && *v ? v : "http://127.0.0.1:8080");
	n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		url[--n] = '\0';
	return url;
}

static size_t
collect(char *data, size_t size, size_t n, void *ud)
{
	return mf_buf_append(ud, data, size * n) == 0 ? size * n : 0;
}

int
mf_cli_http(const char *method, const char *url, const char *body, size_t len,
            const char *extra_header, long *status, struct mf_buf *resp)
{
	struct curl_slist *headers = NULL;
	CURL *c = curl_easy_init();
	CURLcode rc;

	*status = 0;
	if (c == NULL)
		return -1;
	headers = curl_slist_append(headers, "Content-Type: application/json");
	headers = curl_slist_append(headers, "Expect:");
	if (extra_header != NULL)
		headers = curl_slist_append(headers, extra_header);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "modelfacts-cli");
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		                 (curl_off_t)len);
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	else
		fprintf(stderr, "modelfacts: %s: %s\n", url,
		        curl_easy_strerror(rc));
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	return rc == CURLE_OK ? 0 : -1;
}

void
mf_cli_print_api_error(long status, const char *body)
{
	json_t *j = json_loads(body ? body : "", 0, NULL), *e, *d;
	size_t i;

	e = json_object_get(j, "error");
	if (!json_is_object(e)) {
		fprintf(stderr, "HTTP %ld: %.500s\n", status, body ? body : "");
		json_decref(j);
		return;
	}
	fprintf(stderr, "HTTP %ld %s: %s\n", status,
	        mf_json_str(e, "code") ? mf_json_str(e, "code") : "?",
	        mf_json_str(e, "message") ? mf_json_str(e, "message") : "");
	json_array_foreach(json_object_get(e, "details"), i, d)
	    fprintf(stderr, "  at %s: %s\n",
	            mf_json_str(d, "pointer") && *mf_json_str(d, "pointer")
	                ? mf_json_str(d, "pointer")
	                : "(document)",
	            mf_json_str(d, "message") ? mf_json_str(d, "message") : "");
	json_decref(j);
}

int
mf_cli_origin(char *out, size_t n, const char *flag, const char *url)
{
	const char *env = getenv("MODELFACTS_ORIGIN");
	struct mf_buf resp = MF_BUF_INIT;
	char u[4096];
	long status;
	json_t *r = NULL;
	int rc = -1;

	/* 1. Given, or in the environment the server reads too. */
	if (flag != NULL || (env != NULL && *env)) {
		snprintf(out, n, "%s", flag != NULL ? flag : env);
		return 0;
	}
	if (url == NULL)
		return -1;
	/* 2. Else the registry's own answer. */
	snprintf(u, sizeof(u), "%s/v1/registry", url);
	if (mf_cli_http("GET", u, NULL, 0, NULL, &status, &resp) != 0 ||
	    status != 200 || mf_buf_putc(&resp, '\0') != 0)
		goto done;
	if ((r = json_loads(resp.data, 0, NULL)) == NULL ||
	    mf_json_str(r, "origin") == NULL)
		goto done;
	snprintf(out, n, "%s", mf_json_str(r, "origin"));
	rc = 0;
done:
	json_decref(r);
	mf_buf_dispose(&resp);
	return rc;
}

int
mf_cli_state_pointer(char *out, size_t n, const char *url)
{
	static const char *const hosts[] = {"127.0.0.1", "localhost", "[::1]"};
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	const char *rest = NULL;
	char *end;
	unsigned long port = 80;
	size_t i;
	int w;

	if (strncmp(url, "http://", 7) != 0)
		return -1;
	/* 1. Only a registry on this machine: the pointer is a local file. */
	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]) && rest == NULL; i++)
		if (strncmp(url + 7, hosts[i], strlen(hosts[i])) == 0)
			rest = url + 7 + strlen(hosts[i]);
	if (rest == NULL || (*rest != ':' && *rest != '/' && *rest != '\0'))
		return -1;
	if (*rest == ':') {
		errno = 0;
		port = strtoul(rest + 1, &end, 10);
		if (errno != 0 || end == rest + 1 || port == 0 ||
		    port > 65535 || (*end != '/' && *end != '\0'))
			return -1;
	}
	/* 2. The per-user state home, as the XDG base directories say. */
	if (xdg != NULL && xdg[0] == '/')
		w = snprintf(out, n, "%s/modelfacts/port-%lu", xdg, port);
	else if (home != NULL && home[0] == '/')
		w = snprintf(out, n, "%s/.local/state/modelfacts/port-%lu",
		             home, port);
	else
		return -1;
	return w > 0 && (size_t)w < n ? 0 : -1;
}

/* Reads a token file, without its line end. New string or NULL. */
static char *
token_from_file(const char *path)
{
	size_t len;
	char *t = mf_cli_read_file(path, 4096, &len);

	while (t != NULL && len > 0 &&
	       (t[len - 1] == '\n' || t[len - 1] == '\r'))
		t[--len] = '\0';
	return t;
}

int
mf_cli_admin_token_source(char *out, size_t n, const char *file,
                          const char *url)
{
	const char *env_file = getenv("MODELFACTS_TOKEN_FILE");
	const char *env = getenv("MODELFACTS_ADMIN_TOKEN");
	char pointer[4096];
	size_t len;
	char *dir = NULL;
	int rc = -1, w;

	/* 1. --token-file, then $MODELFACTS_TOKEN_FILE, then the token. */
	if (file != NULL || (env_file != NULL && *env_file)) {
		w = snprintf(out, n, "%s", file != NULL ? file : env_file);
		return w > 0 && (size_t)w < n ? 1 : -1;
	}
	if (env != NULL && *env)
		return 0;
	/* 2. A registry that `make run` started here: its state directory. */
	if (url == NULL ||
	    mf_cli_state_pointer(pointer, sizeof(pointer), url) != 0 ||
	    access(pointer, R_OK) != 0 ||
	    (dir = mf_cli_read_file(pointer, 4096, &len)) == NULL)
		goto done;
	while (len > 0 && (dir[len - 1] == '\n' || dir[len - 1] == '\r'))
		dir[--len] = '\0';
	if (dir[0] != '/')
		goto done;
	w = snprintf(out, n, "%s/admin.token", dir);
	rc = w > 0 && (size_t)w < n ? 1 : -1;
done:
	free(dir);
	return rc;
}

char *
mf_cli_admin_token(const char *file, const char *url)
{
	char path[4200];
	int src = mf_cli_admin_token_source(path, sizeof(path), file, url);

	if (src == 1)
		return token_from_file(path);
	if (src == 0)
		return strdup(getenv("MODELFACTS_ADMIN_TOKEN"));
	fprintf(stderr,
	        "modelfacts: no admin token: give --token-file FILE, or set "
	        "MODELFACTS_TOKEN_FILE\n(as `make run` prints it) or "
	        "MODELFACTS_ADMIN_TOKEN\n");
	return NULL;
}
