/*
 * The public face of labels/ (see label.h): build the label.json tree
 * from the input once, then serialise it or lay it out through the
 * Markdown or HTML backend. On failure the caller's buffer is rewound.
 */
#include "labels/label.h"

#include "common/error.h"
#include "labels/emit.h"
#include "labels/facts.h"
#include "labels/html.h"
#include "labels/layout.h"
#include "labels/markdown.h"

static void
rewind_to(struct mf_buf *out, size_t mark)
{
	if (out->data != NULL && out->len > mark) {
		out->len = mark;
		out->data[mark] = '\0';
	}
}

int
mf_label_json(json_t **out, const struct mf_label_input *in)
{
	*out = NULL;
	if (in == NULL || !(json_is_object(in->disclosure) ||
	                    (in->disclosure == NULL && in->assessment_only)))
		return MF_E_BAD_PARAM;
	if ((*out = mf_label_facts_build(in)) == NULL)
		return MF_E_NOMEM;
	return 0;
}

int
mf_label_render(struct mf_buf *out, const json_t *label,
                enum mf_label_form form)
{
	struct mf_label_emitter e;
	size_t mark = out->len;
	bool page = form == MF_LABEL_HTML;
	int rc;

	if (!json_is_object(label) || (unsigned)form >= MF_LABEL_FORM__MAX)
		return MF_E_BAD_PARAM;
	if (form == MF_LABEL_MARKDOWN) {
		mf_label_emitter_init(&e, &mf_label_markdown_ops, out);
		mf_label_layout(&e, label);
		rc = e.rc;
		goto done;
	}
	mf_label_emitter_init(&e, &mf_label_html_ops, out);
	if ((rc = mf_label_html_begin(&e, mf_label_layout_name(label), page)) !=
	    0)
		goto done;
	mf_label_layout(&e, label);
	if ((rc = e.rc) != 0)
		goto done;
	rc = mf_label_html_end(&e, page);
done:
	if (rc != 0)
		rewind_to(out, mark);
	return rc;
}

static int
render(struct mf_buf *out, const struct mf_label_input *in,
       enum mf_label_form form)
{
	json_t *label = NULL;
	int rc;

	if ((rc = mf_label_json(&label, in)) != 0)
		goto done;
	rc = mf_label_render(out, label, form);
done:
	json_decref(label);
	return rc;
}

int
mf_label_markdown(struct mf_buf *out, const struct mf_label_input *in)
{
	return render(out, in, MF_LABEL_MARKDOWN);
}

int
mf_label_html(struct mf_buf *out, const struct mf_label_input *in)
{
	return render(out, in, MF_LABEL_HTML);
}

int
mf_label_html_fragment(struct mf_buf *out, const struct mf_label_input *in)
{
	return render(out, in, MF_LABEL_HTML_FRAGMENT);
}

int
mf_label_json_text(struct mf_buf *out, const struct mf_label_input *in)
{
	json_t *label = NULL;
	int rc;

	if ((rc = mf_label_json(&label, in)) != 0)
		goto done;
	rc = mf_label_json_write(out, label);
done:
	json_decref(label);
	return rc;
}
