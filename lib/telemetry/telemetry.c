/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry: the command table, the reply to one request, the built-in
 * commands (/, /info, /help). The socket and its thread are in server.c.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "rf_config.h"
#include "rf_telemetry.h"
#include "tel_private.h"

struct tel_cmd {
	char name[RF_TEL_MAX_CMD_LEN];
	rf_tel_handler_t fn;
	void *arg;
	const char *help;
};

/* The table and every handler run: one at a time. */
static pthread_mutex_t tel_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tel_cmd cmds[RF_TEL_MAX_COMMANDS]; /* (tel_lock) */
static unsigned nb_cmds;			 /* (tel_lock) */

void rf_tel_lock(void)
{
	pthread_mutex_lock(&tel_lock);
}

void rf_tel_unlock(void)
{
	pthread_mutex_unlock(&tel_lock);
}

static struct tel_cmd *find_cmd(const char *name)
{
	for (unsigned i = 0; i < nb_cmds; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

static int add_cmd(const char *cmd, rf_tel_handler_t fn, void *arg, const char *help)
{
	if (cmd == NULL || fn == NULL || !rf_tel_valid_cmd_name(cmd, strlen(cmd)))
		return -EINVAL;
	if (find_cmd(cmd) != NULL)
		return -EEXIST;
	if (nb_cmds == RF_TEL_MAX_COMMANDS)
		return -ENOSPC;
	struct tel_cmd *c = &cmds[nb_cmds++];
	strcpy(c->name, cmd); /* checked above: shorter than the field */
	c->fn = fn;
	c->arg = arg;
	c->help = help != NULL ? help : "";
	return 0;
}

static int cmd_list(const char *cmd, const char *params, struct rf_tel_data *d, void *arg)
{
	(void)cmd;
	(void)params;
	(void)arg;
	rf_tel_array_begin(d, NULL);
	for (unsigned i = 0; i < nb_cmds; i++)
		rf_tel_str(d, NULL, cmds[i].name);
	rf_tel_end(d);
	return 0;
}

void rf_tel_hello(struct rf_tel_data *d)
{
	rf_tel_dict_begin(d, NULL);
	rf_tel_str(d, "version", "ringfwd " RF_VERSION);
	rf_tel_i64(d, "pid", (int64_t)getpid());
	rf_tel_u64(d, "max_output_len", RF_TEL_MAX_OUTPUT);
	rf_tel_end(d);
}

static int cmd_info(const char *cmd, const char *params, struct rf_tel_data *d, void *arg)
{
	(void)cmd;
	(void)params;
	(void)arg;
	rf_tel_hello(d);
	return 0;
}

/* "/help,/ethdev/stats" -> {"/ethdev/stats": "its help"}; no params: /help's own. */
static int cmd_help(const char *cmd, const char *params, struct rf_tel_data *d, void *arg)
{
	const struct tel_cmd *c = find_cmd(params != NULL ? params : cmd);

	(void)arg;
	if (c == NULL)
		return -EINVAL;
	rf_tel_dict_begin(d, NULL);
	rf_tel_str(d, c->name, c->help);
	rf_tel_end(d);
	return 0;
}

/* The built-ins come first, whoever registers first. (tel_lock) */
static void add_builtins(void)
{
	if (nb_cmds != 0)
		return;
	add_cmd("/", cmd_list, NULL, "Returns the list of commands. Takes no parameters");
	add_cmd("/info", cmd_info, NULL,
		"Returns the version, the pid and the largest reply. Takes no parameters");
	add_cmd("/help", cmd_help, NULL,
		"Returns the help text of the command given as parameter, e.g. /help,/info");
}

int rf_tel_register(const char *cmd, rf_tel_handler_t fn, void *arg, const char *help)
{
	int rc;

	rf_tel_lock();
	add_builtins();
	rc = add_cmd(cmd, fn, arg, help);
	rf_tel_unlock();
	return rc;
}

/* {"cmd": null}: the command echoed (escaped), whatever it was. */
static size_t reply_null(const char *cmd, char *out)
{
	struct rf_tel_data d;

	rf_tel_data_init(&d, out, RF_TEL_MAX_OUTPUT);
	rf_tel_dict_begin(&d, NULL);
	rf_tel_null(&d, cmd);
	rf_tel_end(&d);
	return d.len;
}

size_t rf_tel_handle_request(const char *req, size_t len, char *out)
{
	char cmd[RF_TEL_MAX_CMD_LEN], params[RF_TEL_MAX_REQUEST + 1];
	struct rf_tel_data d;
	struct tel_cmd *c;
	int rc;

	if (rf_tel_parse_request(req, len, cmd, params) != 0)
		return reply_null(cmd, out);
	rf_tel_lock();
	add_builtins();
	c = find_cmd(cmd);
	if (c == NULL) {
		rf_tel_unlock();
		return reply_null(cmd, out);
	}
	/* The handler writes one value with no key; the writer puts cmd as its key. */
	rf_tel_data_init(&d, out, RF_TEL_MAX_OUTPUT);
	rf_tel_dict_begin(&d, NULL);
	d.pending_key = cmd;
	rc = c->fn(cmd, params[0] != '\0' ? params : NULL, &d, c->arg);
	rf_tel_unlock();
	if (rc < 0 || d.bad || d.pending_key != NULL || !d.need_comma[1] || d.depth != 1 ||
	    d.skipped != 0)
		return reply_null(cmd, out);
	rf_tel_end(&d);
	return d.len;
}
