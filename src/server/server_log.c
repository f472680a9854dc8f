/* server_log.c: the practice server's session log, one readable line per event, every byte
 * that came from a client escaped so the projected terminal cannot be steered by it. */
#include "config.h"

#include <stdlib.h>
#include <time.h>

#include "core/util/clock.h"
#include "core/util/escape.h"
#include "core/util/strbuf.h"
#include "core/util/xmalloc.h"
#include "server/server.h"

struct server_log {
	FILE *out;
};

struct server_log *
server_log_new(FILE *out)
{
	struct server_log *log = xcalloc(1, sizeof *log);

	log->out = out;
	setvbuf(out, NULL, _IOLBF, 0);
	return log;
}

void
server_log_free(struct server_log *log)
{
	free(log);
}

static void
log_prefix(struct server_log *log, unsigned id)
{
	int64_t now = clock_wall_us();
	time_t secs = (time_t)(now / 1000000);
	long ms = (long)(now % 1000000 / 1000);
	struct tm tm;
	char stamp[32];

	localtime_r(&secs, &tm);
	strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
	if (id == 0)
		fprintf(log->out, "%s.%03ld [server] ", stamp, ms);
	else
		fprintf(log->out, "%s.%03ld [%u] ", stamp, ms, id);
}

void
server_log(struct server_log *log, unsigned id, const char *fmt, ...)
{
	va_list ap;

	if (log == NULL)
		return;
	log_prefix(log, id);
	va_start(ap, fmt);
	vfprintf(log->out, fmt, ap);
	va_end(ap);
	fputc('\n', log->out);
}

char *
server_escape(const char *data, size_t len, size_t max)
{
	struct strbuf b = { 0 };

	/* Bytes over 0x7f are escaped too: invalid UTF-8 and C1 controls stay harmless. */
	escape_append(&b, data, len < max ? len : max, ESCAPE_NAMED);
	if (len > max)
		strbuf_add(&b, "...");
	return strbuf_take(&b);
}

void
server_log_wire(struct server_log *log, unsigned id, const char *dir, const char *data,
    size_t len)
{
	char *e;

	if (log == NULL)
		return;
	e = server_escape(data, len, 400);
	if (len > 400)
		server_log(log, id, "%s %s (%zu bytes)", dir, e, len);
	else
		server_log(log, id, "%s %s", dir, e);
	free(e);
}
