/* Timestamped, levelled log lines on stderr, as text or JSON (diag.h). */
#include "common/diag.h"
#include "common/encoding.h"
#include "common/timeutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static enum mf_diag_level min_level = MF_DIAG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};
/* set once at start-up, before any thread logs */
static enum mf_diag_format line_format = MF_DIAG_TEXT;

void
mf_diag_set_format(enum mf_diag_format format)
{
	line_format = format;
}

int
mf_diag_format_parse(const char *s)
{
	if (strcmp(s, "text") == 0)
		return MF_DIAG_TEXT;
	if (strcmp(s, "json") == 0)
		return MF_DIAG_JSON;
	return -1;
}

void
mf_diag_set_level(enum mf_diag_level level)
{
	min_level = level;
}

int
mf_diag_level_parse(const char *s)
{
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	return -1;
}

size_t
mf_diag_escape(char *out, size_t cap, const char *in, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, o = 0, k, u;
	char esc[16];

	if (cap == 0)
		return 0;
	while (i < len) {
		/* 1. what the next input bytes become */
		k = 0;
		u = 1;
		if (s[i] == '\n') {
			esc[k++] = '\\';
			esc[k++] = 'n';
		} else if (s[i] == '\\') {
			esc[k++] = '\\';
			esc[k++] = '\\';
		} else if (s[i] < 0x80 && s[i] >= 0x20 && s[i] != 0x7f) {
			esc[k++] = (char)s[i];
		} else {
			/* a valid UTF-8 character is kept, but the C1
			 * controls (U+0080-U+009F: 8-bit CSI and kin) */
			u = s[i] >= 0x80 ? mf_utf8_char_len(s + i, len - i) : 0;
			if (u > 0 && !(s[i] == 0xc2 && s[i + 1] < 0xa0)) {
				memcpy(esc, s + i, u);
				k = u;
			} else {
				size_t j, nb = u > 0 ? u : 1;

				for (j = 0; j < nb; j++) {
					esc[k++] = '\\';
					esc[k++] = 'x';
					esc[k++] = hex[s[i + j] >> 4];
					esc[k++] = hex[s[i + j] & 0xf];
				}
				u = nb;
			}
		}
		/* 2. whole or not at all: no half escapes at the end */
		if (o + k >= cap)
			break;
		memcpy(out + o, esc, k);
		o += k;
		i += u;
	}
	out[o] = '\0';
	return o;
}

size_t
mf_diag_json_escape(char *out, size_t cap, const char *in, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, o = 0, k, u;
	char esc[16];

	if (cap == 0)
		return 0;
	while (i < len) {
		/* 1. what the next input bytes become */
		k = 0;
		u = 1;
		if (s[i] == '"' || s[i] == '\\') {
			esc[k++] = '\\';
			esc[k++] = (char)s[i];
		} else if (s[i] == '\n') {
			esc[k++] = '\\';
			esc[k++] = 'n';
		} else if (s[i] >= 0x20 && s[i] < 0x7f) {
			esc[k++] = (char)s[i];
		} else if (s[i] < 0x80) { /* a control byte, DEL */
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[s[i] >> 4];
			esc[5] = hex[s[i] & 0xf];
			k = 6;
		} else if ((u = mf_utf8_char_len(s + i, len - i)) > 0) {
			if (s[i] == 0xc2 && s[i + 1] < 0xa0) {
				/* a C1 control (8-bit CSI and kin): inert */
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[s[i + 1] >> 4];
				esc[5] = hex[s[i + 1] & 0xf];
				k = 6;
			} else {
				memcpy(esc, s + i, u);
				k = u;
			}
		} else {
			/* not UTF-8: JSON cannot carry the byte; its text
			 * \xNN (as the text format writes it) can */
			memcpy(esc, "\\\\x", 3);
			esc[3] = hex[s[i] >> 4];
			esc[4] = hex[s[i] & 0xf];
			k = 5;
			u = 1;
		}
		/* 2. whole or not at all: no half escapes at the end */
		if (o + k >= cap)
			break;
		memcpy(out + o, esc, k);
		o += k;
		i += u;
	}
	out[o] = '\0';
	return o;
}

/* Appends "name":"value" (value escaped) to line at *n, cap bytes. */
static void
json_field(char *line, size_t cap, int *n, const char *name, const char *value,
           size_t len)
{
	int m;

	if (*n < 0 || (size_t)*n + 8 >= cap)
		return;
	m = snprintf(line + *n, cap - (size_t)*n, ",\"%s\":\"", name);
	if (m < 0 || (size_t)(*n + m) + 2 >= cap)
		return;
	*n += m;
	*n += (int)mf_diag_json_escape(line + *n, cap - (size_t)*n - 2, value,
	                               len);
	line[(*n)++] = '"';
	line[*n] = '\0';
}

/*
 * Writes one JSON line: time, level, request_id (reqid, or a message's
 * leading "req=ID " as many call sites write it), msg, then `extra`
 * (already JSON: ',"key":value...'; may be "").
 */
static void
write_json(enum mf_diag_level level, const char *reqid, const char *msg,
           size_t len, const char *extra)
{
	char line[4096], ts[40], id[32];
	size_t k;
	int n;

	mf_time_format_ms(ts, sizeof(ts), mf_time_now_ms());
	if (reqid == NULL && len > 4 && strncmp(msg, "req=", 4) == 0) {
		for (k = 4; k < len && k - 4 < sizeof(id) - 1 && msg[k] != ' ';
		     k++)
			id[k - 4] = msg[k];
		id[k - 4] = '\0';
		if (k < len && msg[k] == ' ') {
			reqid = id;
			msg += k + 1;
			len -= k + 1;
		}
	}
	n = snprintf(line, sizeof(line), "{\"time\":\"%s\",\"level\":\"%s\"",
	             ts, level_names[level]);
	if (reqid != NULL)
		json_field(line, sizeof(line) - 1, &n, "request_id", reqid,
		           strlen(reqid));
	json_field(line, sizeof(line) - 1, &n, "msg", msg, len);
	if (n < 0 || (size_t)n + strlen(extra) + 3 > sizeof(line))
		extra = "";
	n += snprintf(line + n, sizeof(line) - (size_t)n, "%s}\n", extra);
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

void
mf_diag_access(const struct mf_diag_access *a)
{
	char extra[3072];
	int n;

	if (MF_DIAG_INFO < min_level)
		return;
	if (line_format == MF_DIAG_TEXT) {
		mf_diag(MF_DIAG_INFO, a->reqid,
		        "%s \"%s %s\" %u %zu %lld.%03lldms%s", a->client,
		        a->method, a->path, a->status, a->bytes,
		        (long long)(a->duration_us / 1000),
		        (long long)(a->duration_us % 1000),
		        a->aborted ? " (aborted)" : "");
		return;
	}
	/* every string through the escaper: a path is the client's text */
	n = 0;
	extra[0] = '\0';
	json_field(extra, sizeof(extra) - 160, &n, "client", a->client,
	           strlen(a->client));
	json_field(extra, sizeof(extra) - 160, &n, "method", a->method,
	           strlen(a->method));
	json_field(extra, sizeof(extra) - 160, &n, "path", a->path,
	           strlen(a->path));
	if (a->route != NULL)
		json_field(extra, sizeof(extra) - 160, &n, "route", a->route,
		           strlen(a->route));
	snprintf(extra + n, sizeof(extra) - (size_t)n,
	         ",\"status\":%u,\"bytes\":%zu,\"duration_ms\":%lld.%03lld,"
	         "\"aborted\":%s",
	         a->status, a->bytes, (long long)(a->duration_us / 1000),
	         (long long)(a->duration_us % 1000),
	         a->aborted ? "true" : "false");
	write_json(MF_DIAG_INFO, a->reqid, "access", 6, extra);
}

void
mf_diag(enum mf_diag_level level, const char *reqid, const char *fmt, ...)
{
	char line[2048], msg[2048], ts[40];
	va_list ap;
	int n, m;

	if (level < min_level)
		return;
	va_start(ap, fmt);
	m = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	if ((size_t)m >= sizeof(msg))
		m = (int)sizeof(msg) - 1;
	/* a library's message often ends in a newline: the line's own */
	while (m > 0 && msg[m - 1] == '\n')
		m--;
	if (line_format == MF_DIAG_JSON) {
		write_json(level, reqid, msg, (size_t)m, "");
		return;
	}
	mf_time_format_ms(ts, sizeof(ts), mf_time_now_ms());
	n = snprintf(line, sizeof(line), "%s %s%s%s ", ts, level_names[level],
	             reqid ? " req=" : "", reqid ? reqid : "");
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	/* Paths, headers and document text reach log lines: one line per
	 * event whatever they hold, and no byte a terminal would obey. */
	n += (int)mf_diag_escape(line + n, sizeof(line) - (size_t)n - 1, msg,
	                         (size_t)m);
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}
