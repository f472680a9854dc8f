/* fuzz_server_command.c: libFuzzer target for the practice server's command grammar and its
 * whole per-client state machine. The first two bytes pick scenarios; the rest is fed to one
 * session in chunks whose sizes come from the input, as the I/O layer would. Every line is also
 * given to the pure grammar (smtp_command_parse, smtp_path_parse) directly. The I/O layer is
 * replaced by the stubs below: output is counted and dropped, STARTTLS "succeeds" at once. */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/server.h"
#include "core/proto/smtp_command.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct server_client {
	struct server_session *session;
	size_t out_bytes;
	bool closed;
	bool tls_pending;
};

void
server_client_write(struct server_client *c, const char *data, size_t len)
{
	if (len == 0 || data[len - 1] == '\0')
		abort();   /* replies are text, never empty writes or NUL-terminated junk */
	c->out_bytes += len;
}

void
server_client_hold_output(struct server_client *c, double until)
{
	(void)c;
	(void)until;
}

size_t
server_client_start_tls(struct server_client *c)
{
	c->tls_pending = true;
	return 0;
}

void
server_client_close(struct server_client *c, bool abort_now)
{
	(void)abort_now;
	c->closed = true;
}

bool
server_client_tls_available(const struct server_client *c)
{
	(void)c;
	return true;
}

static void
grammar(const char *line, size_t len)
{
	struct smtp_command cmd;
	struct smtp_path path;

	if (smtp_command_parse(line, len, &cmd) != 0)
		return;
	if (cmd.args < line || cmd.args + cmd.args_len > line + len)
		abort();
	if (smtp_path_parse(cmd.args, cmd.args_len, true, &path) == SMTP_PATH_OK &&
	    strlen(path.addr) > SMTP_ADDR_MAX)
		abort();
	if (smtp_path_parse(cmd.args, cmd.args_len, false, &path) == SMTP_PATH_OK &&
	    (path.null_path || strlen(path.addr) > SMTP_ADDR_MAX))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct server_log *log;   /* one for the whole run: it sets the stream's buffering */
	static struct server_user user = { (char *)"practice", (char *)"secret123" };
	struct server_config cfg;
	struct server srv;
	struct server_client client;
	size_t pos = 2, start, i, keep = 0;
	char *buf;

	if (size < 2)
		return 0;
	if (log == NULL) {
		FILE *devnull = fopen("/dev/null", "w");
		if (devnull == NULL)
			abort();
		log = server_log_new(devnull);
	}
	memset(&cfg, 0, sizeof cfg);
	cfg.listen_host = "127.0.0.1";
	cfg.domain = "practice.test";
	cfg.scenarios = ((unsigned)data[0] | (unsigned)data[1] << 8) &
	    ((1u << SCENARIO_COUNT) - 1) & ~1u;
	cfg.delay = 0;
	cfg.greylist_delay = 0;
	cfg.rate_limit = 2;
	cfg.size_max = (cfg.scenarios & SCENARIO_BIT(SCENARIO_TOO_BIG)) ? 64 : 4096;
	cfg.idle_timeout = 300;
	cfg.ready_fd = -1;
	cfg.users = &user;
	cfg.nusers = 1;

	memset(&srv, 0, sizeof srv);
	srv.cfg = &cfg;
	srv.log = log;
	srv.store = server_store_new(NULL, NULL);
	memset(&client, 0, sizeof client);
	client.session = server_session_new(&srv, &client, 1, "127.0.0.1", false);
	server_session_start(client.session);

	/* The grammar on its own, line by line. */
	for (start = pos, i = pos; i < size; i++)
		if (data[i] == '\n') {
			grammar((const char *)data + start, i - start);
			start = i + 1;
		}

	/* The session, fed like the I/O layer feeds it: an input buffer kept between calls. */
	buf = malloc(size + 1);
	while (pos < size && !client.closed) {
		size_t chunk = 1 + data[pos] % 64, used;
		pos++;
		if (chunk > size - pos)
			chunk = size - pos;
		memcpy(buf + keep, data + pos, chunk);
		keep += chunk;
		pos += chunk;
		if (client.tls_pending) {
			/* The I/O layer drops what came after STARTTLS, then the handshake succeeds. */
			keep = 0;
			client.tls_pending = false;
			server_session_tls_ready(client.session, "TLSv1.3 (fuzz)");
			continue;
		}
		if (!server_session_wants_input(client.session))
			continue;
		used = server_session_input(client.session, buf, keep);
		if (used > keep)
			abort();
		memmove(buf, buf + used, keep - used);
		keep -= used;
		/* The I/O layer caps its buffer; so must this. */
		if (keep > SERVER_AUTH_LINE_MAX + 4096)
			abort();
	}
	server_session_closed(client.session, "fuzz input ended");
	server_session_free(client.session);
	server_store_free(srv.store);
	for (i = 0; i < srv.ngreylist; i++)
		free(srv.greylist[i].key);
	free(srv.greylist);
	free(buf);
	return 0;
}
