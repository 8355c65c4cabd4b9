/* CLI helpers (see util.h). */
#include "cli/util.h"
#include "common/file.h"
#include "common/json.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

char *
mf_cli_admin_token(const char *file)
{
	const char *env = getenv("MODELFACTS_ADMIN_TOKEN");
	size_t len;
	char *t;

	if (file == NULL && env != NULL && *env)
		return strdup(env);
	t = mf_cli_read_file(file ? file : "var/admin.token", 4096, &len);
	while (t != NULL && len > 0 &&
	       (t[len - 1] == '\n' || t[len - 1] == '\r'))
		t[--len] = '\0';
	return t;
}
