/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry: DPDK's telemetry v2 socket protocol, so that DPDK's own clients
 * (dpdk-telemetry.py, telegraf's dpdk input, the Prometheus exporter) read a
 * running ringfwd unchanged.
 *
 * The socket is AF_UNIX/SOCK_SEQPACKET at <runtime dir>/dpdk_telemetry.v2,
 * the runtime dir being $RUNTIME_DIRECTORY/dpdk/<prefix> when set, else
 * /var/run/dpdk/<prefix> for root and $XDG_RUNTIME_DIR (or /tmp)/dpdk/<prefix>
 * otherwise. When a live process answers on that path, the next free
 * ":1", ":2", ... suffix is taken; a socket file nobody answers on is stale
 * and replaced.
 *
 * The protocol (docs/telemetry.md has the whole of it):
 *   - on connect the server sends {"version":..,"pid":..,"max_output_len":16384};
 *   - each message from the client is one request "command[,params]";
 *   - each request gets one message {"command": data}, at most
 *     RF_TEL_MAX_OUTPUT bytes of valid JSON (a reply that would not fit
 *     drops the values that do not, and stays valid);
 *   - data is null for an unknown command, bad parameters, or a request
 *     that is not well formed (see rf_tel_parse_request).
 *
 * One control thread serves every client with poll(): it inherits the CPU
 * affinity of the thread that starts it (the main lcore, which does not
 * forward). A client is closed when it has not read its previous reply
 * (the socket buffer is full), so that nobody can block the others.
 * Handlers run on that thread, one at a time, under rf_tel_lock(): the
 * application takes the same lock while it reshapes what the handlers walk
 * (ports, streams), never on a forwarding lcore.
 */
#ifndef RF_TELEMETRY_H
#define RF_TELEMETRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RF_TEL_MAX_OUTPUT   16384 /* bytes in one reply, as DPDK */
#define RF_TEL_MAX_REQUEST  1024  /* bytes in one request; longer ones get null */
#define RF_TEL_MAX_CMD_LEN  64	  /* command name, '\0' included */
#define RF_TEL_MAX_CLIENTS  10	  /* more are accepted and closed at once */
#define RF_TEL_MAX_COMMANDS 64
#define RF_TEL_MAX_DEPTH    8 /* nested dicts/arrays in one reply */
#define RF_TEL_SOCKET_NAME  "dpdk_telemetry.v2"

/*
 * A reply under construction: a JSON writer into a bounded buffer. Each
 * value is written whole or not at all; once one did not fit, the rest are
 * dropped too (truncated is set) and the containers still close.
 */
struct rf_tel_data {
	char *buf;
	size_t cap; /* bytes buf may hold, closers of open containers included */
	size_t len;
	unsigned depth;
	bool need_comma[RF_TEL_MAX_DEPTH + 1];
	bool is_dict[RF_TEL_MAX_DEPTH + 1];
	bool truncated;
	unsigned skipped;	 /* containers dropped whose end is still to come */
	bool bad;		 /* misuse (a key in an array, too deep): the reply becomes null */
	unsigned values;	 /* top-level values written: a handler writes exactly one */
	const char *pending_key; /* the key of the next value written with none */
};

/* Start writing into buf (cap bytes). */
void rf_tel_data_init(struct rf_tel_data *d, char *buf, size_t cap);
/*
 * In a dict, key names the value; in an array or at the top it must be
 * NULL. Strings are escaped as JSON wants.
 */
void rf_tel_dict_begin(struct rf_tel_data *d, const char *key);
void rf_tel_array_begin(struct rf_tel_data *d, const char *key);
void rf_tel_end(struct rf_tel_data *d); /* closes the innermost dict or array */
void rf_tel_u64(struct rf_tel_data *d, const char *key, uint64_t v);
void rf_tel_i64(struct rf_tel_data *d, const char *key, int64_t v);
void rf_tel_f64(struct rf_tel_data *d, const char *key, double v); /* NaN/inf: null */
void rf_tel_str(struct rf_tel_data *d, const char *key, const char *s);
void rf_tel_bool(struct rf_tel_data *d, const char *key, bool v);
void rf_tel_null(struct rf_tel_data *d, const char *key);

/*
 * A command handler: fill d with one value from params (NULL when the
 * request had none). 0, or -errno (bad parameters, gone port): the reply
 * is then null.
 */
typedef int (*rf_tel_handler_t)(const char *cmd, const char *params, struct rf_tel_data *d,
				void *arg);

/*
 * Add a command ("/ethdev/stats"): '/' then letters, digits, '_', '-', '/'.
 * 0, -EINVAL (bad name), -EEXIST, -ENOSPC. Allowed before and after start.
 */
int rf_tel_register(const char *cmd, rf_tel_handler_t fn, void *arg, const char *help);

/*
 * Split a request of len bytes (not '\0'-terminated) into its command and
 * params. cmd (RF_TEL_MAX_CMD_LEN bytes) gets the command; params
 * (RF_TEL_MAX_REQUEST bytes) the parameters, "" when none. 0, or -EINVAL
 * when the request is empty, longer than RF_TEL_MAX_REQUEST, has a command
 * that is not a command name, or params with a byte outside printable ASCII.
 * Even then cmd holds what the reply echoes: the bytes before the first ','
 * (at most RF_TEL_MAX_CMD_LEN - 1 of them), to be escaped.
 */
int rf_tel_parse_request(const char *req, size_t len, char *cmd, char *params);
/* '/' then up to 62 of letters, digits, '_', '-', '/' (n bytes at s). */
bool rf_tel_valid_cmd_name(const char *s, size_t n);

/*
 * The whole reply for a request of len bytes into out (RF_TEL_MAX_OUTPUT
 * bytes): {"cmd": data}. Returns its length. Runs the handler under the
 * lock. Used by the server; callable directly (tests, fuzzing).
 */
size_t rf_tel_handle_request(const char *req, size_t len, char *out);

/*
 * Create the socket for file prefix and start the control thread. path
 * (len bytes) gets the socket's path. 0, or -errno with one line in err
 * (the directory cannot be made, every suffix is taken, ...).
 */
int rf_tel_start(const char *prefix, char *path, size_t len, char *err, size_t errlen);
/* Stop the thread, close every client, remove the socket (and the runtime dir if empty). */
void rf_tel_stop(void);

/* Exclude the handlers while the application changes what they read. */
void rf_tel_lock(void);
void rf_tel_unlock(void);

/* The runtime directory for prefix, as DPDK's EAL and its clients compute it. */
int rf_tel_runtime_dir(const char *prefix, char *dir, size_t len);

#endif /* RF_TELEMETRY_H */
