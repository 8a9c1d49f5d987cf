/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device arguments in DPDK --vdev syntax: "name,key=value,key=value".
 * A value runs to the next comma and may itself contain '='.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rf_common.h"
#include "rf_devargs.h"

RF_PRINTF(3, 4) static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* The driver is the device name without its instance number: "net_pcap12" -> "net_pcap". */
static size_t driver_name_len(const char *name)
{
	size_t len = strlen(name);

	while (len > 0 && isdigit((unsigned char)name[len - 1]))
		len--;
	return len;
}

static int parse_fail(struct rf_devargs *out)
{
	free(out->buf);
	memset(out, 0, sizeof(*out));
	return -EINVAL;
}

static int parse_kv(struct rf_devargs *out, char *tok, char *err, size_t errlen)
{
	if (*tok == '\0') {
		seterr(err, errlen, "%s: empty argument (two commas in a row, or a trailing comma)",
		       out->name);
		return -EINVAL;
	}
	char *eq = strchr(tok, '=');
	if (eq == NULL) {
		seterr(err, errlen, "%s: key '%s' has no value (expected %s=VALUE)", out->name, tok,
		       tok);
		return -EINVAL;
	}
	if (eq == tok) {
		seterr(err, errlen, "%s: argument '%s' has an empty key", out->name, tok);
		return -EINVAL;
	}
	if (out->nb_kv == RF_DEVARGS_MAX_KV) {
		seterr(err, errlen, "%s: too many arguments (at most %u)", out->name,
		       RF_DEVARGS_MAX_KV);
		return -EINVAL;
	}
	*eq = '\0';
	out->kv[out->nb_kv].key = tok;
	out->kv[out->nb_kv].value = eq + 1;
	out->nb_kv++;
	return 0;
}

int rf_devargs_parse(const char *s, struct rf_devargs *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (s == NULL || *s == '\0') {
		seterr(err, errlen, "empty device arguments");
		return -EINVAL;
	}
	out->buf = strdup(s);
	if (out->buf == NULL) {
		seterr(err, errlen, "out of memory parsing '%s'", s);
		return -ENOMEM;
	}

	char *name = out->buf;
	char *rest = strchr(name, ',');
	if (rest != NULL)
		*rest++ = '\0';
	if (*name == '\0') {
		seterr(err, errlen, "empty device name in '%s'", s);
		return parse_fail(out);
	}
	if (strlen(name) >= sizeof(out->name)) {
		seterr(err, errlen, "device name '%s' is too long (at most %zu characters)", name,
		       sizeof(out->name) - 1);
		return parse_fail(out);
	}
	size_t dlen = driver_name_len(name);
	if (dlen == 0) {
		seterr(err, errlen, "device name '%s' has no driver part (expected e.g. net_pcap0)",
		       name);
		return parse_fail(out);
	}
	memcpy(out->name, name, strlen(name) + 1);
	memcpy(out->driver, name, dlen);
	out->driver[dlen] = '\0';

	while (rest != NULL) {
		char *tok = rest;

		rest = strchr(tok, ',');
		if (rest != NULL)
			*rest++ = '\0';
		int rc = parse_kv(out, tok, err, errlen);
		if (rc < 0)
			return parse_fail(out);
	}
	return 0;
}

void rf_devargs_free(struct rf_devargs *da)
{
	if (da == NULL)
		return;
	free(da->buf);
	memset(da, 0, sizeof(*da));
}

static int key_is_valid(const char *key, const char *const *valid)
{
	for (unsigned i = 0; valid != NULL && valid[i] != NULL; i++)
		if (strcmp(key, valid[i]) == 0)
			return 1;
	return 0;
}

/* "path, queues, server" into buf, or "none". */
static void format_key_list(char *buf, size_t len, const char *const *valid)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; valid != NULL && valid[i] != NULL && used < len; i++) {
		int w = snprintf(buf + used, len - used, "%s%s", i > 0 ? ", " : "", valid[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	if (buf[0] == '\0')
		snprintf(buf, len, "none");
}

int rf_devargs_check_keys(const struct rf_devargs *da, const char *const *valid, char *err,
			  size_t errlen)
{
	for (unsigned i = 0; i < da->nb_kv; i++) {
		if (key_is_valid(da->kv[i].key, valid))
			continue;
		char keys[512];
		format_key_list(keys, sizeof(keys), valid);
		seterr(err, errlen, "%s: unknown key '%s' (valid keys: %s)", da->name,
		       da->kv[i].key, keys);
		return -EINVAL;
	}
	return 0;
}

const char *rf_devargs_get(const struct rf_devargs *da, const char *key)
{
	/* Search from the end: a key given twice means the later one, as on a command line. */
	for (unsigned i = da->nb_kv; i > 0; i--)
		if (strcmp(da->kv[i - 1].key, key) == 0)
			return da->kv[i - 1].value;
	return NULL;
}

/*
 * Strict unsigned parse: decimal or 0x-prefixed hex, nothing else around it.
 * strtoul would accept leading blanks, a sign and trailing garbage.
 */
static int parse_u64(const char *v, uint64_t *out, const char **why)
{
	unsigned base = 10;
	const char *p = v;
	uint64_t x = 0;

	if (*p == '-') {
		*why = "must not be negative";
		return -EINVAL;
	}
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (*p == '\0') {
		*why = "not a number";
		return -EINVAL;
	}
	for (const char *digits = p; *p != '\0'; p++) {
		unsigned d;

		if (isdigit((unsigned char)*p))
			d = (unsigned)(*p - '0');
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = (unsigned)(tolower((unsigned char)*p) - 'a' + 10);
		else {
			*why =
			    p == digits ? "not a number" : "trailing characters after the number";
			return -EINVAL;
		}
		if (x > (UINT64_MAX - d) / base) {
			*why = "number too large";
			return -EINVAL;
		}
		x = x * base + d;
	}
	*out = x;
	return 0;
}

int rf_devargs_get_u32(const struct rf_devargs *da, const char *key, uint32_t def, uint32_t min,
		       uint32_t max, uint32_t *out, char *err, size_t errlen)
{
	const char *v = rf_devargs_get(da, key);
	const char *why = NULL;
	uint64_t x;

	if (v == NULL) {
		*out = def;
		return 0;
	}
	if (parse_u64(v, &x, &why) < 0) {
		seterr(err, errlen, "%s=%s: %s", key, v, why);
		return -EINVAL;
	}
	if (x < min || x > max) {
		seterr(err, errlen, "%s=%s: must be between %u and %u", key, v, min, max);
		return -EINVAL;
	}
	*out = (uint32_t)x;
	return 0;
}

int rf_devargs_get_bool(const struct rf_devargs *da, const char *key, int def, int *out, char *err,
			size_t errlen)
{
	static const struct {
		const char *word;
		int value;
	} words[] = {{"1", 1}, {"0", 0}, {"true", 1}, {"false", 0}, {"on", 1}, {"off", 0}};
	const char *v = rf_devargs_get(da, key);

	if (v == NULL) {
		*out = def;
		return 0;
	}
	for (unsigned i = 0; i < RF_DIM(words); i++) {
		if (strcasecmp(v, words[i].word) == 0) {
			*out = words[i].value;
			return 0;
		}
	}
	seterr(err, errlen, "%s=%s: expected 0 or 1 (or true/false, on/off)", key, v);
	return -EINVAL;
}
