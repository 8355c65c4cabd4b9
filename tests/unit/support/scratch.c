/* Scratch directories and tool runs for unit tests (see scratch.h). */
#include "tests/unit/support/scratch.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

static char dir[256];

const char *
mf_test_scratch(void)
{
	return dir;
}

int
mf_test_scratch_setup(void **state)
{
	(void)state;
	if (mkdir("build", 0755) != 0 && access("build", F_OK) != 0)
		return -1;
	if (mkdir("build/tmp", 0755) != 0 && access("build/tmp", F_OK) != 0)
		return -1;
	snprintf(dir, sizeof(dir), "build/tmp/unit.XXXXXX");
	return mkdtemp(dir) != NULL ? 0 : -1;
}

int
mf_test_scratch_teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int
mf_test_have(const char *tool)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

void
mf_test_require(const char *tool, ...)
{
	va_list ap;
	const char *t;

	va_start(ap, tool);
	for (t = tool; t != NULL; t = va_arg(ap, const char *))
		if (!mf_test_have(t)) {
			va_end(ap);
			printf("  %s is not installed; skipping\n", t);
			skip();
			return;
		}
	va_end(ap);
}

int
mf_test_sh(const char *fmt, ...)
{
	char cmd[4096];
	int n, st;
	va_list ap;

	n = snprintf(cmd, sizeof(cmd), "cd '%s' && (", dir);
	va_start(ap, fmt);
	n += vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
	va_end(ap);
	if ((size_t)n >= sizeof(cmd) - 20)
		fail_msg("command too long");
	snprintf(cmd + n, sizeof(cmd) - (size_t)n, ") >/dev/null 2>&1");
	st = system(cmd);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

char *
mf_test_slurp(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

void
mf_test_spit(const char *name, const void *data, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}
