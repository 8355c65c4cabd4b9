/*
 * Dispatch to a label backend with a sticky error (see emit.h), so the
 * layout need not check every call.
 */
#include "labels/emit.h"

#include <string.h>

void
mf_label_emitter_init(struct mf_label_emitter *e,
                      const struct mf_label_emitter_ops *ops,
                      struct mf_buf *out)
{
	memset(e, 0, sizeof(*e));
	e->ops = ops;
	e->out = out;
	e->line_start = true;
}

int
mf_label_flush_space(struct mf_label_emitter *e)
{
	if (!e->pending_space)
		return 0;
	e->pending_space = false;
	return mf_buf_putc(e->out, ' ');
}

void
mf_label_open(struct mf_label_emitter *e, enum mf_label_el el, const char *cls)
{
	if (e->rc == 0)
		e->rc = e->ops->open(e, el, cls);
}

void
mf_label_close(struct mf_label_emitter *e, enum mf_label_el el)
{
	if (e->rc == 0)
		e->rc = e->ops->close(e, el);
}

void
mf_label_textn(struct mf_label_emitter *e, const char *s, size_t len)
{
	if (e->rc == 0 && s != NULL)
		e->rc = e->ops->text(e, s, len);
}

void
mf_label_text(struct mf_label_emitter *e, const char *s)
{
	if (s != NULL)
		mf_label_textn(e, s, strlen(s));
}

void
mf_label_code(struct mf_label_emitter *e, const char *s)
{
	if (e->rc == 0 && s != NULL)
		e->rc = e->ops->code(e, s);
}

void
mf_label_link(struct mf_label_emitter *e, const char *url, const char *text)
{
	if (e->rc == 0 && url != NULL)
		e->rc = e->ops->link(e, url, text != NULL ? text : url);
}

void
mf_label_bar(struct mf_label_emitter *e, long long met, long long max)
{
	if (e->rc == 0)
		e->rc = e->ops->bar(e, met, max);
}

void
mf_label_wrap(struct mf_label_emitter *e, enum mf_label_el el, const char *cls,
              const char *s)
{
	mf_label_open(e, el, cls);
	mf_label_text(e, s);
	mf_label_close(e, el);
}
