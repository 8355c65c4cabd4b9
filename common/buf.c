/* Growable, bounded byte buffer (see buf.h). */
#include "common/buf.h"
#include "common/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
mf_buf_init(struct mf_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
mf_buf_dispose(struct mf_buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	mf_buf_init(b, b->max);
}

void
mf_buf_clear(struct mf_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

int
mf_buf_reserve(struct mf_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > ((size_t)-1) / 2 - b->len)
		return MF_E_TOO_LARGE;
	need = b->len + extra + 1;
	if (b->max != 0 && b->len + extra > b->max)
		return MF_E_TOO_LARGE;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	if ((p = realloc(b->data, cap)) == NULL)
		return MF_E_NOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int
mf_buf_append(struct mf_buf *b, const void *data, size_t len)
{
	int rc;

	if ((rc = mf_buf_reserve(b, len)) != 0)
		return rc;
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int
mf_buf_puts(struct mf_buf *b, const char *s)
{
	return mf_buf_append(b, s, strlen(s));
}

int
mf_buf_putc(struct mf_buf *b, char c)
{
	return mf_buf_append(b, &c, 1);
}

int
mf_buf_vprintf(struct mf_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n, rc;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return MF_E_INTERNAL;
	if ((rc = mf_buf_reserve(b, (size_t)n)) != 0)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
mf_buf_printf(struct mf_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = mf_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

char *
mf_buf_detach(struct mf_buf *b, size_t *len_out)
{
	char *p = b->data;

	if (p == NULL && (p = calloc(1, 1)) == NULL)
		return NULL;
	if (len_out != NULL)
		*len_out = b->len;
	mf_buf_init(b, b->max);
	return p;
}
