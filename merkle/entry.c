/* The log's leaf entry text (see entry.h). */
#include "merkle/entry.h"
#include "common/error.h"

#include <string.h>

static int
plain(const char *v, int allow_empty)
{
	if (v == NULL || (!allow_empty && *v == '\0'))
		return 0;
	for (; *v; v++)
		if ((unsigned char)*v <= ' ' || *v == 0x7f)
			return 0;
	return 1;
}

static int
line(struct mf_buf *b, const char *key, const char *value)
{
	if (!plain(value, 0))
		return MF_E_BAD_PARAM;
	return mf_buf_printf(b, "%s %s\n", key, value);
}

int
mf_log_entry_format(struct mf_buf *b, const struct mf_log_entry *e)
{
	const char *k, *sp;
	int rc;

	if ((rc = mf_buf_puts(b, "modelfacts-log-entry/v1\n")) != 0 ||
	    (rc = line(b, "origin", e->origin)) != 0 ||
	    (rc = line(b, "kind", e->kind)) != 0 ||
	    (rc = line(b, "org", e->org)) != 0)
		return rc;
	for (k = e->keyids; k != NULL && *k; k = sp + (*sp != '\0')) {
		sp = strchr(k, ' ');
		if (sp == NULL)
			sp = k + strlen(k);
		if (sp == k)
			return MF_E_BAD_PARAM;
		if ((rc = mf_buf_printf(b, "keyid %.*s\n", (int)(sp - k), k)))
			return rc;
	}
	if ((rc = line(b, "seq", e->seq)) != 0)
		return rc;
	if (!plain(e->subject_org, 0) || !plain(e->subject_model, 1))
		return MF_E_BAD_PARAM;
	if ((rc = mf_buf_printf(b, "subject %s%s%s\n", e->subject_org,
	                        e->subject_model[0] ? "/" : "",
	                        e->subject_model)) != 0 ||
	    (rc = line(b, "payload-type", e->payload_type)) != 0 ||
	    (rc = line(b, "payload-sha256", e->payload_sha256)) != 0 ||
	    (rc = line(b, "envelope-sha256", e->envelope_sha256)) != 0 ||
	    (rc = line(b, "accepted-at", e->accepted_at)) != 0)
		return rc;
	return 0;
}

int
mf_log_entry_get(const char *text, const char *key, char *out, size_t n)
{
	size_t klen = strlen(key), vlen;
	const char *p = text, *end;

	while (p != NULL && *p) {
		end = strchr(p, '\n');
		if (end == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) > klen && strncmp(p, key, klen) == 0 &&
		    p[klen] == ' ') {
			vlen = (size_t)(end - p) - klen - 1;
			if (vlen + 1 > n)
				return -1;
			memcpy(out, p + klen + 1, vlen);
			out[vlen] = '\0';
			return 0;
		}
		p = *end ? end + 1 : end;
	}
	return -1;
}
