/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: a telemetry request (lib/telemetry, the bytes one
 * SOCK_SEQPACKET message carries) and the reply writer.
 *
 * The input is used twice:
 *  1. as a request given to rf_tel_handle_request(), with handlers that echo
 *     their parameters, write more than a reply holds, or fail;
 *  2. as a script for the reply writer (dicts, arrays, scalars, strings of
 *     any bytes, ends, in any order) into a buffer of a size the script picks.
 *
 * What must hold for any input (a broken rule aborts):
 *  - no crash, no sanitizer report, no leak;
 *  - the reply is at most RF_TEL_MAX_OUTPUT bytes of well-formed JSON
 *    (printable ASCII, brackets balanced outside strings, no stray comma),
 *    {"<command>": ...}; the parser accepts a request exactly when its
 *    command is a command name and its parameters printable ASCII, with
 *    what it returns being the bytes of the request;
 *  - the writer never writes past its buffer (ASan) and, whatever the
 *    script, leaves well-formed JSON once its open containers are ended.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_script.h"
#include "rf_telemetry.h"

static bool well_formed(const char *s, size_t len)
{
	char stack[RF_TEL_MAX_DEPTH + 2];
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
		if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			if (depth == sizeof(stack))
				return false;
			stack[depth++] = c;
		} else if (c == '}' || c == ']') {
			if (depth == 0 || stack[--depth] != (c == '}' ? '{' : '[') || prev == ',')
				return false;
		} else if (c == ',' && (prev == '{' || prev == '[' || prev == ',')) {
			return false;
		}
		prev = c;
	}
	return depth == 0 && !in_str;
}

static int h_echo(const char *cmd, const char *params, struct rf_tel_data *d, void *arg)
{
	(void)arg;
	if (params != NULL && params[0] == 'x')
		return -EINVAL;
	rf_tel_dict_begin(d, NULL);
	rf_tel_str(d, "cmd", cmd);
	rf_tel_str(d, params != NULL ? params : "none", params);
	rf_tel_end(d);
	return 0;
}

static int h_big(const char *cmd, const char *params, struct rf_tel_data *d, void *arg)
{
	size_t n = params != NULL ? strlen(params) : 0;

	(void)cmd;
	(void)arg;
	rf_tel_array_begin(d, NULL);
	for (unsigned i = 0; i < 3000; i++) {
		rf_tel_dict_begin(d, NULL);
		rf_tel_u64(d, "i", i);
		rf_tel_str(d, "p", n != 0 ? params + i % n : "");
		rf_tel_end(d);
	}
	rf_tel_end(d);
	return 0;
}

static void setup(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	check(rf_tel_register("/echo", h_echo, NULL, "echo") == 0);
	check(rf_tel_register("/big", h_big, NULL, "big") == 0);
}

static void fuzz_request(const uint8_t *data, size_t size)
{
	static char out[RF_TEL_MAX_OUTPUT];
	char cmd[RF_TEL_MAX_CMD_LEN], params[RF_TEL_MAX_REQUEST + 1];
	size_t n = rf_tel_handle_request((const char *)data, size, out);

	check(n >= 2 && n <= RF_TEL_MAX_OUTPUT);
	check(out[0] == '{' && out[1] == '"' && out[n - 1] == '}');
	check(well_formed(out, n));

	int rc = rf_tel_parse_request((const char *)data, size, cmd, params);
	check(strlen(cmd) < RF_TEL_MAX_CMD_LEN);
	if (rc == 0) {
		size_t clen = strlen(cmd);

		check(size <= RF_TEL_MAX_REQUEST);
		check(rf_tel_valid_cmd_name(cmd, clen));
		check(memcmp(cmd, data, clen) == 0);
		if (clen < size) {
			check(data[clen] == ',');
			check(strlen(params) == size - clen - 1);
			check(memcmp(params, data + clen + 1, size - clen - 1) == 0);
		} else {
			check(params[0] == '\0');
		}
	} else {
		check(rc == -EINVAL);
	}
}

static void fuzz_writer(const uint8_t *data, size_t size)
{
	static char buf[RF_TEL_MAX_OUTPUT];
	struct script s = {data, size};
	struct rf_tel_data d;
	size_t cap = get16(&s) % sizeof(buf);
	char str[64];

	rf_tel_data_init(&d, buf, cap);
	while (s.left != 0) {
		uint8_t op = get8(&s);
		bool keyed = d.depth != 0 && (op & 0x80) != 0;
		unsigned sl = get8(&s) % sizeof(str);

		for (unsigned i = 0; i < sl; i++)
			str[i] = (char)(get8(&s) | 1); /* any byte but NUL */
		str[sl] = '\0';
		const char *key = keyed ? str : NULL;
		switch (op & 7) {
		case 0:
			rf_tel_dict_begin(&d, key);
			break;
		case 1:
			rf_tel_array_begin(&d, key);
			break;
		case 2:
			rf_tel_end(&d);
			break;
		case 3:
			rf_tel_u64(&d, key, get64(&s));
			break;
		case 4:
			rf_tel_str(&d, key, str);
			break;
		case 5:
			rf_tel_f64(&d, key, (double)(int64_t)get64(&s) / 3.0);
			break;
		case 6:
			rf_tel_null(&d, key);
			break;
		default:
			rf_tel_bool(&d, key, op & 8);
			break;
		}
		check(d.len <= cap);
	}
	if (d.bad)
		return; /* misuse: the server answers null instead */
	while (d.depth != 0 || d.skipped != 0)
		rf_tel_end(&d);
	check(d.len <= cap);
	check(well_formed(buf, d.len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	fuzz_request(data, size);
	fuzz_writer(data, size);
	return 0;
}
