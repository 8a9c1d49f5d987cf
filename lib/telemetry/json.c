/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The reply writer and the request parser: pure functions, no I/O, so that
 * the unit tests and the fuzz target reach every path.
 *
 * Room for the closers: every open container will need one byte ('}' or
 * ']'), so a value may use the buffer only up to cap - depth. A value that
 * does not fit is rolled back whole, and from then on every value is
 * dropped (skipped counts the containers not opened, so that their ends
 * close nothing).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rf_telemetry.h"

void rf_tel_data_init(struct rf_tel_data *d, char *buf, size_t cap)
{
	memset(d, 0, sizeof(*d));
	d->buf = buf;
	d->cap = cap;
}

/* A value in the making: where it started, and whether every byte fitted. */
struct tel_val {
	size_t start;
	size_t limit;
	bool ok;
};

static void put(struct rf_tel_data *d, struct tel_val *v, const char *s, size_t n)
{
	if (!v->ok || d->len + n > v->limit) {
		v->ok = false;
		return;
	}
	memcpy(d->buf + d->len, s, n);
	d->len += n;
}

static void put_str(struct rf_tel_data *d, struct tel_val *v, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	put(d, v, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0' && v->ok; p++) {
		char esc[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};

		if (*p == '"' || *p == '\\') {
			char two[2] = {'\\', (char)*p};
			put(d, v, two, 2);
		} else if (*p < 0x20 || *p >= 0x7f) {
			/* Control bytes and non-ASCII: \u00XX keeps the reply valid JSON and UTF-8.
			 */
			put(d, v, esc, 6);
		} else {
			put(d, v, (const char *)p, 1);
		}
	}
	put(d, v, "\"", 1);
}

/*
 * Start a value: state checks, the comma, the key. opens: the value is a
 * container, so one more closer must stay possible. false: drop the value
 * (nothing written); true: write it, then val_end.
 */
static bool val_begin(struct rf_tel_data *d, struct tel_val *v, const char *key, bool opens)
{
	unsigned dep = d->depth;

	if (d->bad || d->truncated)
		return false;
	if (key == NULL && d->pending_key != NULL) {
		key = d->pending_key;
		d->pending_key = NULL;
	}
	if ((key != NULL) != d->is_dict[dep] || (dep == 0 && d->values != 0) ||
	    (opens && dep == RF_TEL_MAX_DEPTH) || d->cap < (size_t)dep + (opens ? 1 : 0)) {
		d->bad = true;
		return false;
	}
	v->start = d->len;
	v->limit = d->cap - dep - (opens ? 1 : 0);
	v->ok = true;
	if (d->need_comma[dep])
		put(d, v, ",", 1);
	if (key != NULL) {
		put_str(d, v, key);
		put(d, v, ":", 1);
	}
	return true;
}

/* Keep the value if all of it fitted, else roll it back and drop the rest. */
static bool val_end(struct rf_tel_data *d, struct tel_val *v)
{
	if (!v->ok) {
		d->len = v->start;
		d->truncated = true;
		return false;
	}
	d->need_comma[d->depth] = true;
	if (d->depth == 0)
		d->values++;
	return true;
}

static void scalar(struct rf_tel_data *d, const char *key, const char *text, bool quoted)
{
	struct tel_val v;

	if (!val_begin(d, &v, key, false))
		return;
	if (quoted)
		put_str(d, &v, text);
	else
		put(d, &v, text, strlen(text));
	val_end(d, &v);
}

static void open_container(struct rf_tel_data *d, const char *key, bool dict)
{
	struct tel_val v;

	if (!val_begin(d, &v, key, true)) {
		if (!d->bad)
			d->skipped++; /* its end closes nothing */
		return;
	}
	put(d, &v, dict ? "{" : "[", 1);
	if (!val_end(d, &v)) {
		d->skipped++;
		return;
	}
	d->depth++;
	d->need_comma[d->depth] = false;
	d->is_dict[d->depth] = dict;
}

void rf_tel_dict_begin(struct rf_tel_data *d, const char *key)
{
	open_container(d, key, true);
}

void rf_tel_array_begin(struct rf_tel_data *d, const char *key)
{
	open_container(d, key, false);
}

void rf_tel_end(struct rf_tel_data *d)
{
	if (d->bad)
		return;
	if (d->skipped != 0) {
		d->skipped--;
		return;
	}
	if (d->depth == 0) {
		d->bad = true;
		return;
	}
	/* val_begin kept this byte free. */
	d->buf[d->len++] = d->is_dict[d->depth] ? '}' : ']';
	d->depth--;
}

void rf_tel_u64(struct rf_tel_data *d, const char *key, uint64_t v)
{
	char t[24];

	snprintf(t, sizeof(t), "%llu", (unsigned long long)v);
	scalar(d, key, t, false);
}

void rf_tel_i64(struct rf_tel_data *d, const char *key, int64_t v)
{
	char t[24];

	snprintf(t, sizeof(t), "%lld", (long long)v);
	scalar(d, key, t, false);
}

void rf_tel_f64(struct rf_tel_data *d, const char *key, double v)
{
	char t[32];

	if (!isfinite(v))
		snprintf(t, sizeof(t), "null");
	else
		snprintf(t, sizeof(t), "%.9g", v);
	scalar(d, key, t, false);
}

void rf_tel_str(struct rf_tel_data *d, const char *key, const char *s)
{
	scalar(d, key, s != NULL ? s : "", true);
}

void rf_tel_bool(struct rf_tel_data *d, const char *key, bool v)
{
	scalar(d, key, v ? "true" : "false", false);
}

void rf_tel_null(struct rf_tel_data *d, const char *key)
{
	scalar(d, key, "null", false);
}

static bool cmd_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '/';
}

bool rf_tel_valid_cmd_name(const char *s, size_t n)
{
	if (n == 0 || n >= RF_TEL_MAX_CMD_LEN || s[0] != '/')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!cmd_char(s[i]))
			return false;
	return true;
}

int rf_tel_parse_request(const char *req, size_t len, char *cmd, char *params)
{
	const char *comma = len != 0 ? memchr(req, ',', len) : NULL;
	size_t clen = comma != NULL ? (size_t)(comma - req) : len;
	size_t keep = clen < RF_TEL_MAX_CMD_LEN ? clen : RF_TEL_MAX_CMD_LEN - 1;
	bool ok = len != 0 && len <= RF_TEL_MAX_REQUEST;

	/* What the reply echoes: up to the first NUL too, so that it is one C string. */
	for (size_t i = 0; i < keep; i++) {
		if (req[i] == '\0') {
			keep = i;
			ok = false;
			break;
		}
	}
	memcpy(cmd, req, keep);
	cmd[keep] = '\0';
	params[0] = '\0';
	if (!ok || !rf_tel_valid_cmd_name(req, clen))
		return -EINVAL;
	if (comma == NULL)
		return 0;
	size_t plen = len - clen - 1;
	for (size_t i = 0; i < plen; i++) {
		unsigned char c = (unsigned char)comma[1 + i];

		if (c < 0x20 || c > 0x7e)
			return -EINVAL;
	}
	memcpy(params, comma + 1, plen);
	params[plen] = '\0';
	return 0;
}
