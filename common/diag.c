/* Timestamped, levelled log lines on stderr (see log.h). */
#include "common/diag.h"
#include "common/encoding.h"
#include "common/timeutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static enum mf_diag_level min_level = MF_DIAG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

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

void
mf_diag(enum mf_diag_level level, const char *reqid, const char *fmt, ...)
{
	char line[2048], msg[2048], ts[40];
	va_list ap;
	int n, m;

	if (level < min_level)
		return;
	mf_time_format_ms(ts, sizeof(ts), mf_time_now_ms());
	n = snprintf(line, sizeof(line), "%s %s%s%s ", ts, level_names[level],
	             reqid ? " req=" : "", reqid ? reqid : "");
	if (n < 0 || (size_t)n >= sizeof(line))
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
	/* Paths, headers and document text reach log lines: one line per
	 * event whatever they hold, and no byte a terminal would obey. */
	n += (int)mf_diag_escape(line + n, sizeof(line) - (size_t)n - 1, msg,
	                         (size_t)m);
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}
