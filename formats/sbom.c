/*
 * Shared by formats/cyclonedx.c and formats/spdx.c (see sbom.h): fact
 * readers, unit conversions, the deterministic UUID and timestamp, and
 * the sticky-error tree builder.
 */
#include "formats/sbom.h"

#include "common/digest.h"
#include "common/error.h"
#include "labels/facts.h"
#include "labels/number.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *
mf_sbom_set(struct mf_sbom_builder *b, json_t *obj, const char *key, json_t *v)
{
	if (b->rc != 0 || obj == NULL || v == NULL) {
		json_decref(v);
		if (b->rc == 0)
			b->rc = MF_E_NOMEM;
		return NULL;
	}
	if (json_object_set_new(obj, key, v) != 0) {
		b->rc = MF_E_NOMEM;
		return NULL;
	}
	return v;
}

json_t *
mf_sbom_push(struct mf_sbom_builder *b, json_t *arr, json_t *v)
{
	if (b->rc != 0 || arr == NULL || v == NULL) {
		json_decref(v);
		if (b->rc == 0)
			b->rc = MF_E_NOMEM;
		return NULL;
	}
	if (json_array_append_new(arr, v) != 0) {
		b->rc = MF_E_NOMEM;
		return NULL;
	}
	return v;
}

void
mf_sbom_set_str(struct mf_sbom_builder *b, json_t *obj, const char *key,
                const char *s)
{
	if (s != NULL && *s != '\0')
		mf_sbom_set(b, obj, key, json_string(s));
}

json_t *
mf_sbom_cat(const char *a, const char *b)
{
	size_t na = a ? strlen(a) : 0, nb = b ? strlen(b) : 0;
	char *s = malloc(na + nb + 1);
	json_t *v;

	if (s == NULL)
		return NULL;
	if (na)
		memcpy(s, a, na);
	if (nb)
		memcpy(s + na, b, nb);
	s[na + nb] = '\0';
	v = json_string(s);
	free(s);
	return v;
}

const json_t *
mf_sbom_fact_object(const json_t *label, const char *section, const char *key)
{
	const json_t *f = json_object_get(json_object_get(label, section), key);

	return json_is_object(f) ? f : NULL;
}

const json_t *
mf_sbom_fact(const json_t *label, const char *section, const char *key,
             const char **status_out)
{
	const json_t *f = mf_sbom_fact_object(label, section, key);
	const char *status = json_string_value(json_object_get(f, "status"));

	if (status_out != NULL)
		*status_out = status != NULL ? status : "not_disclosed";
	if (status == NULL || strcmp(status, "disclosed") != 0)
		return NULL;
	return json_object_get(f, "value");
}

const json_t *
mf_sbom_disclosed(const json_t *disclosure, const char *pointer)
{
	const json_t *node = disclosure;
	const char *p = pointer, *end, *status;
	char seg[128];
	size_t n;

	for (;;) {
		/* 1. A wrapper decides: only "disclosed" lets us in. */
		if ((status = mf_label_wrapper_status(node)) != NULL) {
			if (strcmp(status, "disclosed") != 0)
				return NULL;
			node = json_object_get(node, "value");
		}
		if (node == NULL || json_is_null(node))
			return NULL;
		if (*p == '\0')
			return node;
		/* 2. One step down (our pointers have no escapes). */
		if (!json_is_object(node) || *p != '/')
			return NULL;
		p++;
		end = strchr(p, '/');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (n >= sizeof(seg))
			return NULL;
		memcpy(seg, p, n);
		seg[n] = '\0';
		node = json_object_get(node, seg);
		p += n;
	}
}

void
mf_sbom_num(char *dst, double x)
{
	/* Whole numbers in full ("13200000000"), as a reader of a BOM
	 * expects them; the rest in the label's exact form ("0.341",
	 * "1.6e23"). */
	if (x > -1e16 && x < 1e16 && x == (double)(long long)x)
		snprintf(dst, MF_SBOM_NUM_MAX, "%lld", (long long)x);
	else
		mf_label_num_exact(dst, x);
}

void
mf_sbom_decimal(char *dst, double x)
{
	char *end;

	mf_sbom_num(dst, x);
	/* Beyond 1e21 no real quantity lies; the exact form stays. */
	if (strchr(dst, 'e') == NULL || !(x > -1e21 && x < 1e21))
		return;
	/* Fixed notation (at most 43 bytes here), trailing zeros trimmed;
	 * a locale's decimal comma put back to a point. */
	snprintf(dst, MF_SBOM_NUM_MAX, "%.20f", x);
	for (end = dst; *end; end++)
		if (*end == ',')
			*end = '.';
	while (end > dst && end[-1] == '0')
		*--end = '\0';
	if (end > dst && end[-1] == '.')
		*--end = '\0';
}

static bool
unit_is(const json_t *qty, const char *unit)
{
	const char *u = json_string_value(json_object_get(qty, "unit"));

	return u != NULL && strcmp(u, unit) == 0;
}

bool
mf_sbom_energy_kwh(const json_t *qty, double *kwh)
{
	const json_t *amount = json_object_get(qty, "amount");
	double x;

	if (!json_is_number(amount))
		return false;
	x = json_number_value(amount);
	if (unit_is(qty, "kWh"))
		*kwh = x;
	else if (unit_is(qty, "MWh"))
		*kwh = x * 1e3;
	else if (unit_is(qty, "GWh"))
		*kwh = x * 1e6;
	else if (unit_is(qty, "MJ"))
		*kwh = x / 3.6;
	else if (unit_is(qty, "GJ"))
		*kwh = x * 1e3 / 3.6;
	else
		return false;
	return true;
}

bool
mf_sbom_emissions_t(const json_t *qty, double *tonnes)
{
	const json_t *amount = json_object_get(qty, "amount");

	if (!json_is_number(amount))
		return false;
	if (unit_is(qty, "tCO2e"))
		*tonnes = json_number_value(amount);
	else if (unit_is(qty, "kgCO2e"))
		*tonnes = json_number_value(amount) / 1e3;
	else
		return false;
	return true;
}

void
mf_sbom_uuid(char out[37], const char *salt, const char *text)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t d[MF_SHA256_LEN];
	struct mf_buf b;
	size_t i, o = 0;

	mf_buf_init(&b, 1u << 16);
	if (mf_buf_printf(&b, "%s\n%s", salt ? salt : "", text ? text : "") !=
	    0)
		mf_buf_clear(&b);
	mf_sha256(d, b.data ? b.data : "", b.len);
	mf_buf_dispose(&b);
	/* The version and variant bits of a name-based UUID. */
	d[6] = (uint8_t)((d[6] & 0x0f) | 0x50);
	d[8] = (uint8_t)((d[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[d[i] >> 4];
		out[o++] = hex[d[i] & 15];
	}
	out[o] = '\0';
}

static bool
digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

bool
mf_sbom_datetime(char out[21], const char *t)
{
	size_t n = t != NULL ? strlen(t) : 0;
	const char *rest;

	out[0] = '\0';
	if (n < 10 || !digits(t, 4) || t[4] != '-' || !digits(t + 5, 2) ||
	    t[7] != '-' || !digits(t + 8, 2))
		return false;
	if (n == 10) {
		snprintf(out, 21, "%.10sT00:00:00Z", t);
		return true;
	}
	if (n < 20 || (t[10] != 'T' && t[10] != 't') || !digits(t + 11, 2) ||
	    t[13] != ':' || !digits(t + 14, 2) || t[16] != ':' ||
	    !digits(t + 17, 2))
		return false;
	rest = t + 19;
	if (*rest == '.') {
		rest++;
		if (!digits(rest, 1))
			return false;
		while (*rest >= '0' && *rest <= '9')
			rest++;
	}
	/* Only UTC: the registry writes its times in UTC. */
	if (strcmp(rest, "Z") != 0 && strcmp(rest, "z") != 0 &&
	    strcmp(rest, "+00:00") != 0)
		return false;
	snprintf(out, 21, "%.10sT%.8sZ", t, t + 11);
	return true;
}

int
mf_sbom_write(struct mf_buf *out, const json_t *doc)
{
	return mf_label_json_write(out, doc);
}
