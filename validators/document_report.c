/* The error/warning report of a document check (see document_report.h). */
#include "validators/document_report.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *
type_name(int type)
{
	return type >= 0 && type < MF_DOC__MAX
	           ? mf_doctype_name((enum mf_doctype)type)
	           : "unknown";
}

void
mf_doc_report_init(struct mf_doc_report *rep)
{
	memset(rep, 0, sizeof(*rep));
}

static void
free_issues(struct mf_doc_issue *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].pointer);
		free(v[i].message);
		free(v[i].keyword);
	}
	free(v);
}

void
mf_doc_report_dispose(struct mf_doc_report *rep)
{
	if (rep == NULL)
		return;
	free_issues(rep->errors, rep->n_errors);
	free_issues(rep->warnings, rep->n_warnings);
	mf_doc_report_init(rep);
}

int
mf_doc_report_add(struct mf_doc_report *rep, enum mf_doc_severity sev,
                  const char *pointer, const char *code, const char *keyword,
                  const char *fmt, ...)
{
	struct mf_doc_issue **list, *v, *is;
	size_t *n, *cap;
	char msg[1024];
	va_list ap;

	if (sev == MF_DOC_ERROR) {
		list = &rep->errors, n = &rep->n_errors;
		cap = &rep->cap_errors_;
	} else {
		list = &rep->warnings, n = &rep->n_warnings;
		cap = &rep->cap_warnings_;
	}
	if (*n >= MF_DOC_MAX_ISSUES) {
		rep->dropped++;
		return 0;
	}
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;

		if ((v = realloc(*list, nc * sizeof(*v))) == NULL)
			return MF_E_NOMEM;
		*list = v;
		*cap = nc;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	is = &(*list)[*n];
	memset(is, 0, sizeof(*is));
	is->code = code;
	is->pointer = strdup(pointer != NULL ? pointer : "");
	is->message = strdup(msg);
	is->keyword = keyword != NULL ? strdup(keyword) : NULL;
	if (is->pointer == NULL || is->message == NULL ||
	    (keyword != NULL && is->keyword == NULL)) {
		free(is->pointer);
		free(is->message);
		free(is->keyword);
		return MF_E_NOMEM;
	}
	(*n)++;
	return 0;
}

bool
mf_doc_report_ok(const struct mf_doc_report *rep)
{
	return rep->n_errors == 0;
}

const struct mf_doc_issue *
mf_doc_report_error_at(const struct mf_doc_report *rep, const char *pointer)
{
	size_t i;

	for (i = 0; i < rep->n_errors; i++)
		if (strcmp(rep->errors[i].pointer, pointer) == 0)
			return &rep->errors[i];
	return NULL;
}

static json_t *
issue_json(const struct mf_doc_issue *is)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "pointer", is->pointer, "code",
	                      is->code, "message", is->message);

	if (o != NULL && is->keyword != NULL &&
	    json_object_set_new(o, "keyword", json_string(is->keyword)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
issues_json(const struct mf_doc_issue *v, size_t n)
{
	json_t *a = json_array(), *o;
	size_t i;

	if (a == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if ((o = issue_json(&v[i])) == NULL ||
		    json_array_append_new(a, o) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *
mf_doc_report_json(const struct mf_doc_report *rep)
{
	json_t *o;

	o = json_pack("{s:s, s:b, s:o*, s:o*}", "type", type_name(rep->type),
	              "valid", mf_doc_report_ok(rep), "errors",
	              issues_json(rep->errors, rep->n_errors), "warnings",
	              issues_json(rep->warnings, rep->n_warnings));
	if (o == NULL || !json_is_array(json_object_get(o, "errors")) ||
	    !json_is_array(json_object_get(o, "warnings"))) {
		json_decref(o);
		return NULL;
	}
	if (rep->dropped > 0 &&
	    json_object_set_new(o, "dropped",
	                        json_integer((json_int_t)rep->dropped)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int
mf_doc_report_to_error(const struct mf_doc_report *rep, struct mf_error *err)
{
	json_t *details;

	if (mf_doc_report_ok(rep))
		return 0;
	if (err == NULL || err->code != 0)
		return MF_E_VALIDATION;
	mf_error_set(err, MF_E_VALIDATION, rep->errors[0].pointer,
	             "%s is invalid: %zu error%s, first: %s",
	             type_name(rep->type), rep->n_errors,
	             rep->n_errors == 1 ? "" : "s", rep->errors[0].message);
	details = issues_json(rep->errors, rep->n_errors);
	if (details != NULL) {
		json_decref(err->details);
		err->details = details;
	}
	return MF_E_VALIDATION;
}
