/*
 * A growable byte buffer with a hard size limit, so that every size the
 * server handles is bounded. The data is always NUL-terminated (the NUL is
 * not counted in len), which makes text output easy and binary safe.
 */
#ifndef MF_BUF_H
#define MF_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct mf_buf {
	char *data; /* owned; NULL until the first append */
	size_t len;
	size_t cap;
	size_t max; /* 0: no limit */
};

#define MF_BUF_INIT                                                            \
	{                                                                      \
		NULL, 0, 0, 0                                                  \
	}

void mf_buf_init(struct mf_buf *b, size_t max);
void mf_buf_dispose(struct mf_buf *b);
/* Empties the buffer but keeps its memory. */
void mf_buf_clear(struct mf_buf *b);
/* MF_E_NOMEM, or MF_E_TOO_LARGE when len would exceed max. */
int mf_buf_reserve(struct mf_buf *b, size_t extra);
int mf_buf_append(struct mf_buf *b, const void *data, size_t len);
int mf_buf_puts(struct mf_buf *b, const char *s);
int mf_buf_putc(struct mf_buf *b, char c);
int mf_buf_printf(struct mf_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int mf_buf_vprintf(struct mf_buf *b, const char *fmt, va_list ap);
/* Hands the data to the caller (free() it) and resets the buffer. */
char *mf_buf_detach(struct mf_buf *b, size_t *len_out);

#endif
