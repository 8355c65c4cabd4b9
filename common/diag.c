/* Timestamped, levelled log lines on stderr (see log.h). */
#include "common/diag.h"
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

void
mf_diag(enum mf_diag_level level, const char *reqid, const char *fmt, ...)
{
	char line[2048], ts[40];
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
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}
