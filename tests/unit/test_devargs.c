/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/ethdev devargs: the --vdev syntax, every parse error and
 * its message, key checking, last-key-wins, and the bounds of the numeric and
 * boolean getters.
 */
#include <setjmp.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rf_devargs.h"

static void assert_contains(const char *s, const char *what)
{
	if (strstr(s, what) == NULL)
		fail_msg("'%s' does not contain '%s'", s, what);
}

static void test_parse_ok(void **state)
{
	struct rf_devargs da;
	char err[128] = "";
	(void)state;

	assert_int_equal(
	    rf_devargs_parse("net_virtio_user0,path=/tmp/x.sock,queues=2", &da, err, sizeof(err)),
	    0);
	assert_string_equal(da.name, "net_virtio_user0");
	assert_string_equal(da.driver, "net_virtio_user");
	assert_int_equal(da.nb_kv, 2);
	assert_string_equal(da.kv[0].key, "path");
	assert_string_equal(da.kv[0].value, "/tmp/x.sock");
	assert_string_equal(rf_devargs_get(&da, "queues"), "2");
	assert_null(rf_devargs_get(&da, "server"));
	rf_devargs_free(&da);
	assert_null(da.buf);

	/* No arguments; several trailing digits; a value that contains '='. */
	assert_int_equal(rf_devargs_parse("net_null", &da, err, sizeof(err)), 0);
	assert_string_equal(da.driver, "net_null");
	assert_int_equal(da.nb_kv, 0);
	rf_devargs_free(&da);
	assert_int_equal(rf_devargs_parse("net_pcap123,rx_pcap=a=b.pcap,x=", &da, err, sizeof(err)),
			 0);
	assert_string_equal(da.name, "net_pcap123");
	assert_string_equal(da.driver, "net_pcap");
	assert_string_equal(rf_devargs_get(&da, "rx_pcap"), "a=b.pcap");
	assert_string_equal(rf_devargs_get(&da, "x"), "");
	rf_devargs_free(&da);
	rf_devargs_free(NULL);
}

/* Each bad string, and what its message must name. */
static void expect_parse_error(const char *s, const char *msg_part)
{
	struct rf_devargs da;
	char err[160] = "";

	assert_int_equal(rf_devargs_parse(s, &da, err, sizeof(err)), -EINVAL);
	assert_contains(err, msg_part);
	assert_null(da.buf);
	assert_int_equal(da.nb_kv, 0);
	/* Freeing after a failed parse is allowed. */
	rf_devargs_free(&da);
}

static void test_parse_errors(void **state)
{
	(void)state;
	expect_parse_error("", "empty");
	expect_parse_error(",path=/x", "empty device name");
	expect_parse_error("net_x0,path", "key 'path' has no value");
	expect_parse_error("net_x0,=value", "'=value' has an empty key");
	expect_parse_error("net_x0,=", "empty key");
	expect_parse_error("net_x0,a=1,,b=2", "empty argument");
	expect_parse_error("net_x0,a=1,", "empty argument");
	expect_parse_error("123,a=1", "no driver part");

	char longname[100];
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	expect_parse_error(longname, "too long");

	struct rf_devargs da;
	assert_int_equal(rf_devargs_parse(NULL, &da, NULL, 0), -EINVAL);
	/* A NULL err buffer is fine. */
	assert_int_equal(rf_devargs_parse("net_x0,k", &da, NULL, 0), -EINVAL);
}

static void test_too_many(void **state)
{
	char s[1024];
	size_t len = (size_t)snprintf(s, sizeof(s), "net_x0");
	struct rf_devargs da;
	(void)state;

	for (unsigned i = 0; i < RF_DEVARGS_MAX_KV; i++)
		len += (size_t)snprintf(s + len, sizeof(s) - len, ",k%u=%u", i, i);
	assert_int_equal(rf_devargs_parse(s, &da, NULL, 0), 0);
	assert_int_equal(da.nb_kv, RF_DEVARGS_MAX_KV);
	rf_devargs_free(&da);

	snprintf(s + len, sizeof(s) - len, ",one=more");
	expect_parse_error(s, "too many arguments");
}

static void test_last_key_wins(void **state)
{
	struct rf_devargs da;
	uint32_t v = 0;
	(void)state;

	assert_int_equal(rf_devargs_parse("net_x0,queues=1,path=/a,queues=4", &da, NULL, 0), 0);
	assert_string_equal(rf_devargs_get(&da, "queues"), "4");
	assert_int_equal(rf_devargs_get_u32(&da, "queues", 1, 1, 16, &v, NULL, 0), 0);
	assert_int_equal(v, 4);
	rf_devargs_free(&da);
}

static void test_check_keys(void **state)
{
	static const char *const valid[] = {"path", "queues", "server", NULL};
	struct rf_devargs da;
	char err[160] = "";
	(void)state;

	assert_int_equal(rf_devargs_parse("net_x0,path=/a,queues=2", &da, NULL, 0), 0);
	assert_int_equal(rf_devargs_check_keys(&da, valid, err, sizeof(err)), 0);
	rf_devargs_free(&da);

	assert_int_equal(rf_devargs_parse("net_x0,path=/a,queue=2", &da, NULL, 0), 0);
	assert_int_equal(rf_devargs_check_keys(&da, valid, err, sizeof(err)), -EINVAL);
	assert_contains(err, "unknown key 'queue'");
	assert_contains(err, "net_x0");
	assert_contains(err, "path, queues, server");
	/* No valid keys at all: every key is unknown. */
	assert_int_equal(rf_devargs_check_keys(&da, NULL, err, sizeof(err)), -EINVAL);
	assert_contains(err, "unknown key 'path'");
	rf_devargs_free(&da);
}

/* get_u32 on "k=value" with bounds [min, max]: the return, and the value or message. */
static int get_u32(const char *value, uint32_t min, uint32_t max, uint32_t *out, char *err,
		   size_t errlen)
{
	char s[128];
	struct rf_devargs da;

	snprintf(s, sizeof(s), "net_x0,queues=%s", value);
	assert_int_equal(rf_devargs_parse(s, &da, NULL, 0), 0);
	int rc = rf_devargs_get_u32(&da, "queues", 7, min, max, out, err, errlen);
	rf_devargs_free(&da);
	return rc;
}

static void expect_u32(const char *value, uint32_t min, uint32_t max, uint32_t want)
{
	uint32_t v = 0xdeadbeef;

	assert_int_equal(get_u32(value, min, max, &v, NULL, 0), 0);
	assert_int_equal(v, want);
}

static void expect_u32_error(const char *value, uint32_t min, uint32_t max, const char *msg)
{
	uint32_t v = 0xdeadbeef;
	char err[128] = "";
	char kv[128];

	assert_int_equal(get_u32(value, min, max, &v, err, sizeof(err)), -EINVAL);
	assert_int_equal(v, 0xdeadbeef);
	/* The message names the key and the value. */
	snprintf(kv, sizeof(kv), "queues=%s", value);
	assert_contains(err, kv);
	assert_contains(err, msg);
}

static void test_get_u32(void **state)
{
	(void)state;
	expect_u32("1", 1, 16, 1);
	expect_u32("16", 1, 16, 16);
	expect_u32("0x10", 1, 16, 16);
	expect_u32("0X0a", 1, 16, 10);
	expect_u32("010", 0, 100, 10); /* decimal, not octal */
	expect_u32("4294967295", 0, UINT32_MAX, UINT32_MAX);
	expect_u32("0xffffffff", 0, UINT32_MAX, UINT32_MAX);

	expect_u32_error("0", 1, 16, "must be between 1 and 16");
	expect_u32_error("17", 1, 16, "must be between 1 and 16");
	expect_u32_error("4294967296", 0, UINT32_MAX, "between 0 and 4294967295");
	expect_u32_error("99999999999999999999999", 0, UINT32_MAX, "too large");
	expect_u32_error("-1", 0, 16, "negative");
	expect_u32_error("2x", 1, 16, "trailing");
	expect_u32_error("0x1g", 1, 16, "trailing");
	expect_u32_error("0x", 1, 16, "not a number");
	expect_u32_error("abc", 1, 16, "not a number");
	expect_u32_error("", 1, 16, "not a number");
	expect_u32_error(" 2", 1, 16, "not a number");
	expect_u32_error("+2", 1, 16, "not a number");
	expect_u32_error("1.5", 1, 16, "trailing");

	/* Absent: the default, even outside the bounds (the caller chose it). */
	struct rf_devargs da;
	uint32_t v = 0;
	assert_int_equal(rf_devargs_parse("net_x0", &da, NULL, 0), 0);
	assert_int_equal(rf_devargs_get_u32(&da, "queues", 256, 1, 16, &v, NULL, 0), 0);
	assert_int_equal(v, 256);
	rf_devargs_free(&da);
}

static void test_get_bool(void **state)
{
	static const struct {
		const char *v;
		int want;
	} ok[] = {{"1", 1},  {"0", 0},	 {"true", 1}, {"false", 0},
		  {"on", 1}, {"off", 0}, {"TRUE", 1}, {"Off", 0}};
	static const char *const bad[] = {"2", "yes", "", "truex", "-1"};
	struct rf_devargs da;
	char s[64], err[128];
	int v;
	(void)state;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(s, sizeof(s), "net_x0,server=%s", ok[i].v);
		assert_int_equal(rf_devargs_parse(s, &da, NULL, 0), 0);
		v = -1;
		assert_int_equal(rf_devargs_get_bool(&da, "server", !ok[i].want, &v, NULL, 0), 0);
		assert_int_equal(v, ok[i].want);
		rf_devargs_free(&da);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(s, sizeof(s), "net_x0,server=%s", bad[i]);
		assert_int_equal(rf_devargs_parse(s, &da, NULL, 0), 0);
		v = -1;
		assert_int_equal(rf_devargs_get_bool(&da, "server", 0, &v, err, sizeof(err)),
				 -EINVAL);
		assert_int_equal(v, -1);
		snprintf(s, sizeof(s), "server=%s", bad[i]);
		assert_contains(err, s);
		rf_devargs_free(&da);
	}
	assert_int_equal(rf_devargs_parse("net_x0", &da, NULL, 0), 0);
	assert_int_equal(rf_devargs_get_bool(&da, "server", 1, &v, NULL, 0), 0);
	assert_int_equal(v, 1);
	rf_devargs_free(&da);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_ok),   cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_too_many),   cmocka_unit_test(test_last_key_wins),
	    cmocka_unit_test(test_check_keys), cmocka_unit_test(test_get_u32),
	    cmocka_unit_test(test_get_bool),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
