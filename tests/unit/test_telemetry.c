/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/telemetry: the reply writer (shapes, escaping, the
 * 16 KiB bound that keeps the JSON whole), the request parser, the reply to a
 * request (null for unknown commands and bad parameters), and the socket
 * itself in a private runtime directory: hello, requests, the next suffix
 * when the name is taken by a live socket, a stale one replaced.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "rf_telemetry.h"

/*
 * A structural check of what the writer made: brackets and braces balance
 * outside strings, no comma before a closer or after an opener, strings
 * closed, every byte printable ASCII.
 */
static bool json_well_formed(const char *s, size_t len)
{
	char stack[64];
	unsigned depth = 0;
	bool in_str = false;
	char prev = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c < 0x20 || c > 0x7e)
			return false;
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
			prev = 'x';
			continue;
		}
		if (c == '"')
			in_str = true;
		else if (c == '{' || c == '[') {
			if (depth == sizeof(stack))
				return false;
			stack[depth++] = c;
		} else if (c == '}' || c == ']') {
			if (depth == 0 || stack[--depth] != (c == '}' ? '{' : '[') || prev == ',')
				return false;
		} else if (c == ',' && (prev == '{' || prev == '[' || prev == ','))
			return false;
		prev = c;
	}
	return depth == 0 && !in_str;
}

static void test_writer_shapes(void **state)
{
	char buf[256];
	struct rf_tel_data d;

	(void)state;
	rf_tel_data_init(&d, buf, sizeof(buf));
	rf_tel_dict_begin(&d, NULL);
	rf_tel_u64(&d, "a", 18446744073709551615ull);
	rf_tel_i64(&d, "b", -5);
	rf_tel_str(&d, "c", "q\"b\\\n\x01\xe9");
	rf_tel_array_begin(&d, "e");
	rf_tel_bool(&d, NULL, true);
	rf_tel_null(&d, NULL);
	rf_tel_f64(&d, NULL, 0.5);
	rf_tel_end(&d);
	rf_tel_array_begin(&d, "empty");
	rf_tel_end(&d);
	rf_tel_end(&d);
	buf[d.len] = '\0';
	assert_string_equal(buf, "{\"a\":18446744073709551615,\"b\":-5,"
				 "\"c\":\"q\\\"b\\\\\\u000a\\u0001\\u00e9\","
				 "\"e\":[true,null,0.5],\"empty\":[]}");
	assert_false(d.truncated);
	assert_false(d.bad);
}

static void test_writer_misuse(void **state)
{
	char buf[64];
	struct rf_tel_data d;

	(void)state;
	rf_tel_data_init(&d, buf, sizeof(buf));
	rf_tel_array_begin(&d, NULL);
	rf_tel_u64(&d, "key-in-array", 1);
	assert_true(d.bad);

	rf_tel_data_init(&d, buf, sizeof(buf));
	rf_tel_dict_begin(&d, NULL);
	rf_tel_u64(&d, NULL, 1); /* no key in a dict */
	assert_true(d.bad);

	rf_tel_data_init(&d, buf, sizeof(buf));
	rf_tel_u64(&d, NULL, 1);
	rf_tel_u64(&d, NULL, 2); /* two values at the top */
	assert_true(d.bad);

	rf_tel_data_init(&d, buf, sizeof(buf));
	for (unsigned i = 0; i <= RF_TEL_MAX_DEPTH; i++)
		rf_tel_array_begin(&d, NULL);
	assert_true(d.bad);
}

/* Ten keys, each an array of five numbers and a dict. */
static size_t write_many(char *buf, size_t cap, struct rf_tel_data *d)
{
	rf_tel_data_init(d, buf, cap);
	rf_tel_dict_begin(d, NULL);
	for (unsigned i = 0; i < 10; i++) {
		char key[16];

		snprintf(key, sizeof(key), "k%u", i);
		rf_tel_array_begin(d, key);
		for (unsigned j = 0; j < 5; j++)
			rf_tel_u64(d, NULL, 1000u * i + j);
		rf_tel_dict_begin(d, NULL);
		rf_tel_str(d, "s", "a string");
		rf_tel_end(d);
		rf_tel_end(d);
	}
	rf_tel_end(d);
	return d->len;
}

/* Every size of buffer: what is written is well formed and closes. */
static void test_writer_truncation(void **state)
{
	static char buf[RF_TEL_MAX_OUTPUT];
	struct rf_tel_data d;
	size_t full = write_many(buf, sizeof(buf), &d);

	(void)state;
	assert_false(d.truncated);
	assert_true(json_well_formed(buf, full));
	for (size_t cap = 2; cap <= full + 1; cap++) {
		write_many(buf, cap, &d);
		assert_false(d.bad);
		assert_true(d.len <= cap);
		assert_int_equal(d.depth, 0);
		assert_true(json_well_formed(buf, d.len));
		assert_true(d.truncated == (cap < full));
	}
}

static void test_parse_request(void **state)
{
	char cmd[RF_TEL_MAX_CMD_LEN], params[RF_TEL_MAX_REQUEST + 1];
	static char big[RF_TEL_MAX_REQUEST + 2];

	(void)state;
	assert_int_equal(rf_tel_parse_request("/ethdev/stats,0", 15, cmd, params), 0);
	assert_string_equal(cmd, "/ethdev/stats");
	assert_string_equal(params, "0");
	assert_int_equal(rf_tel_parse_request("/", 1, cmd, params), 0);
	assert_string_equal(params, "");
	assert_int_equal(rf_tel_parse_request("/a,b,c d", 8, cmd, params), 0);
	assert_string_equal(params, "b,c d");
	assert_int_equal(rf_tel_parse_request("", 0, cmd, params), -EINVAL);
	assert_int_equal(rf_tel_parse_request("ethdev", 6, cmd, params), -EINVAL);
	assert_string_equal(cmd, "ethdev");
	assert_int_equal(rf_tel_parse_request("/a b", 4, cmd, params), -EINVAL);
	assert_int_equal(rf_tel_parse_request("/a\0b", 4, cmd, params), -EINVAL);
	assert_string_equal(cmd, "/a");
	assert_int_equal(rf_tel_parse_request("/a,\x01", 4, cmd, params), -EINVAL);
	assert_int_equal(rf_tel_parse_request("/a,\xff", 4, cmd, params), -EINVAL);
	memset(big, 'a', sizeof(big));
	big[0] = '/';
	assert_int_equal(rf_tel_parse_request(big, RF_TEL_MAX_CMD_LEN, cmd, params), -EINVAL);
	assert_int_equal(strlen(cmd), RF_TEL_MAX_CMD_LEN - 1);
	assert_int_equal(rf_tel_parse_request(big, RF_TEL_MAX_CMD_LEN - 1, cmd, params), 0);
	big[10] = ',';
	assert_int_equal(rf_tel_parse_request(big, RF_TEL_MAX_REQUEST, cmd, params), 0);
	assert_int_equal(strlen(params), RF_TEL_MAX_REQUEST - 11);
	assert_int_equal(rf_tel_parse_request(big, RF_TEL_MAX_REQUEST + 1, cmd, params), -EINVAL);
}

static int h_echo(const char *cmd, const char *params, struct rf_tel_data *d, void *arg)
{
	(void)cmd;
	(void)arg;
	if (params != NULL && strcmp(params, "bad") == 0)
		return -EINVAL;
	rf_tel_dict_begin(d, NULL);
	rf_tel_str(d, "params", params != NULL ? params : "(none)");
	rf_tel_end(d);
	return 0;
}

static int h_nothing(const char *cmd, const char *params, struct rf_tel_data *d, void *arg)
{
	(void)cmd;
	(void)params;
	(void)d;
	(void)arg;
	return 0;
}

/* More than 16 KiB of values: the reply stops at the bound, still JSON. */
static int h_big(const char *cmd, const char *params, struct rf_tel_data *d, void *arg)
{
	(void)cmd;
	(void)params;
	(void)arg;
	rf_tel_array_begin(d, NULL);
	for (unsigned i = 0; i < 10000; i++)
		rf_tel_u64(d, NULL, 1000000000ull + i);
	rf_tel_end(d);
	return 0;
}

static void reply(const char *req, char *out)
{
	size_t n = rf_tel_handle_request(req, strlen(req), out);

	assert_true(n <= RF_TEL_MAX_OUTPUT);
	assert_true(json_well_formed(out, n));
	out[n < RF_TEL_MAX_OUTPUT ? n : RF_TEL_MAX_OUTPUT - 1] = '\0';
}

static void test_requests(void **state)
{
	static char out[RF_TEL_MAX_OUTPUT + 1];

	(void)state;
	assert_int_equal(rf_tel_register("/t/echo", h_echo, NULL, "echoes"), 0);
	assert_int_equal(rf_tel_register("/t/echo", h_echo, NULL, "again"), -EEXIST);
	assert_int_equal(rf_tel_register("no-slash", h_echo, NULL, ""), -EINVAL);
	assert_int_equal(rf_tel_register("/t/nothing", h_nothing, NULL, ""), 0);
	assert_int_equal(rf_tel_register("/t/big", h_big, NULL, ""), 0);

	reply("/t/echo,x y", out);
	assert_string_equal(out, "{\"/t/echo\":{\"params\":\"x y\"}}");
	reply("/t/echo", out);
	assert_string_equal(out, "{\"/t/echo\":{\"params\":\"(none)\"}}");
	reply("/t/echo,bad", out);
	assert_string_equal(out, "{\"/t/echo\":null}");
	reply("/t/nothing", out);
	assert_string_equal(out, "{\"/t/nothing\":null}");
	reply("/nope", out);
	assert_string_equal(out, "{\"/nope\":null}");
	reply("nope\"\\", out);
	assert_string_equal(out, "{\"nope\\\"\\\\\":null}");
	reply("/help,/t/echo", out);
	assert_string_equal(out, "{\"/help\":{\"/t/echo\":\"echoes\"}}");
	reply("/help,/nope", out);
	assert_string_equal(out, "{\"/help\":null}");
	reply("/", out);
	assert_non_null(strstr(out, "\"/t/echo\""));
	assert_non_null(strstr(out, "\"/info\""));
	reply("/info", out);
	assert_non_null(strstr(out, "\"max_output_len\":16384"));
	reply("/t/big", out);
	assert_true(strlen(out) > RF_TEL_MAX_OUTPUT - 16);
	assert_memory_equal(out + strlen(out) - 2, "]}", 2);
}

static void test_socket(void **state)
{
	char dir[] = "/tmp/rf-telem-unit.XXXXXX", path[256], err[256], sdir[300], taken[300];
	char buf[RF_TEL_MAX_OUTPUT];
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd, live;

	(void)state;
	assert_non_null(mkdtemp(dir));
	setenv("RUNTIME_DIRECTORY", dir, 1);
	snprintf(sdir, sizeof(sdir), "%s/dpdk/unit", dir);
	mkdir(strcat(strcpy(taken, dir), "/dpdk"), 0700);
	mkdir(sdir, 0700);

	/* The first name is held by a live listener; ":1" is a stale file. */
	assert_true(snprintf(taken, sizeof(taken), "%s/%s", sdir, RF_TEL_SOCKET_NAME) <
		    (int)sizeof(taken));
	live = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	strcpy(sun.sun_path, taken);
	assert_int_equal(bind(live, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(live, 1), 0);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	assert_true(snprintf(sun.sun_path, sizeof(sun.sun_path), "%s:1", taken) <
		    (int)sizeof(sun.sun_path));
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd); /* the file stays, nobody listens: stale */

	assert_int_equal(rf_tel_start("unit", path, sizeof(path), err, sizeof(err)), 0);
	assert_string_equal(path, sun.sun_path);

	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "\"max_output_len\":16384"));
	assert_int_equal(send(fd, "/t/echo,1", 9, 0), 9);
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "{\"/t/echo\":{\"params\":\"1\"}}");
	close(fd);

	rf_tel_stop();
	assert_int_equal(access(sun.sun_path, F_OK), -1);
	close(live);
	unlink(taken);
	rmdir(sdir);
	snprintf(sdir, sizeof(sdir), "%s/dpdk", dir);
	rmdir(sdir);
	assert_int_equal(rmdir(dir), 0);
	unsetenv("RUNTIME_DIRECTORY");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_writer_shapes),     cmocka_unit_test(test_writer_misuse),
	    cmocka_unit_test(test_writer_truncation), cmocka_unit_test(test_parse_request),
	    cmocka_unit_test(test_requests),	      cmocka_unit_test(test_socket),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
