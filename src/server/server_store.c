/* server_store.c: where the practice server puts accepted messages: in memory (the last
 * SERVER_STORE_MESSAGES, each cut at SERVER_STORE_KEEP bytes, so memory stays bounded) or in a
 * Maildir (written to tmp/ while it arrives, renamed into new/ once accepted). Messages are
 * streamed, never held whole; line ends are stored as LF, as Maildir readers expect. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/util/xmalloc.h"
#include "server/server.h"

#define PREVIEW_MAX 2048   /* bytes of each message shown in the log */
#define PREVIEW_LINES 20

struct kept_message {
	long number;
	char *data;
	size_t len;
	uint64_t total;
};

struct server_store {
	char *maildir;                                   /* NULL: in memory */
	struct kept_message kept[SERVER_STORE_MESSAGES]; /* a ring */
	size_t next_slot;
	long next_number;
	unsigned long tmp_counter;
};

struct server_message {
	struct server_store *store;
	FILE *file;              /* Maildir: the file in tmp/ */
	char *tmp_path;
	char *base_name;
	char *kept;              /* memory: up to SERVER_STORE_KEEP bytes */
	size_t kept_len;
	char preview[PREVIEW_MAX];
	size_t preview_len;
	uint64_t total;          /* bytes stored (after CRLF -> LF) */
	bool pending_cr;
	bool failed;
};

static int
mkdir_one(const char *path, char **errstr)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	*errstr = xasprintf("%s: %s", path, strerror(errno));
	return -1;
}

struct server_store *
server_store_new(const char *maildir, char **errstr)
{
	struct server_store *store = xcalloc(1, sizeof *store);
	static const char *const sub[] = { "tmp", "new", "cur" };
	size_t i;

	store->next_number = 1;
	if (maildir == NULL)
		return store;
	store->maildir = xstrdup(maildir);
	if (mkdir_one(maildir, errstr) != 0)
		goto fail;
	for (i = 0; i < 3; i++) {
		char *p = xasprintf("%s/%s", maildir, sub[i]);
		int r = mkdir_one(p, errstr);
		free(p);
		if (r != 0)
			goto fail;
	}
	return store;
fail:
	server_store_free(store);
	return NULL;
}

void
server_store_free(struct server_store *store)
{
	size_t i;

	if (store == NULL)
		return;
	for (i = 0; i < SERVER_STORE_MESSAGES; i++)
		free(store->kept[i].data);
	free(store->maildir);
	free(store);
}

static void
keep_bytes(struct server_message *m, const char *data, size_t len)
{
	size_t n;

	if (m->preview_len < PREVIEW_MAX) {
		n = PREVIEW_MAX - m->preview_len < len ? PREVIEW_MAX - m->preview_len : len;
		memcpy(m->preview + m->preview_len, data, n);
		m->preview_len += n;
	}
	if (m->store->maildir == NULL && m->kept_len < SERVER_STORE_KEEP) {
		n = SERVER_STORE_KEEP - m->kept_len < len ? SERVER_STORE_KEEP - m->kept_len : len;
		memcpy(m->kept + m->kept_len, data, n);
		m->kept_len += n;
	}
	if (m->file != NULL && !m->failed && fwrite(data, 1, len, m->file) != len)
		m->failed = true;
	m->total += len;
}

struct server_message *
server_store_message_begin(struct server_store *store, const char *header, char **errstr)
{
	struct server_message *m = xcalloc(1, sizeof *m);
	char host[HOST_NAME_MAX + 1];
	int fd;

	m->store = store;
	if (store->maildir == NULL) {
		m->kept = xmalloc(SERVER_STORE_KEEP);
	} else {
		if (gethostname(host, sizeof host) != 0)
			strcpy(host, "localhost");
		host[sizeof host - 1] = '\0';
		/* Maildir names: time, a unique part, the host ('/' and ':' would break it). */
		for (char *p = host; *p; p++)
			if (*p == '/' || *p == ':')
				*p = '_';
		m->base_name = xasprintf("%ld.M%luP%ld.%s", (long)time(NULL),
		    ++store->tmp_counter, (long)getpid(), host);
		m->tmp_path = xasprintf("%s/tmp/%s", store->maildir, m->base_name);
		fd = open(m->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 || (m->file = fdopen(fd, "w")) == NULL) {
			*errstr = xasprintf("%s: %s", m->tmp_path, strerror(errno));
			if (fd >= 0)
				close(fd);
			free(m->tmp_path);
			free(m->base_name);
			free(m);
			return NULL;
		}
	}
	if (header != NULL)
		server_store_message_write(m, header, strlen(header));
	return m;
}

int
server_store_message_write(struct server_message *m, const char *data, size_t len)
{
	char buf[8192];
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		char c = data[i];
		if (o + 2 > sizeof buf) {
			keep_bytes(m, buf, o);
			o = 0;
		}
		if (m->pending_cr) {
			m->pending_cr = false;
			if (c == '\n') {
				buf[o++] = '\n';
				continue;
			}
			buf[o++] = '\r';
		}
		if (c == '\r')
			m->pending_cr = true;
		else
			buf[o++] = c;
	}
	keep_bytes(m, buf, o);
	return m->failed ? -1 : 0;
}

static void
free_message(struct server_message *m)
{
	free(m->tmp_path);
	free(m->base_name);
	free(m->kept);
	free(m);
}

void
server_store_message_abort(struct server_message *m)
{
	if (m == NULL)
		return;
	if (m->file != NULL) {
		fclose(m->file);
		unlink(m->tmp_path);
	}
	free_message(m);
}

static void
log_preview(struct server_message *m, struct server_log *log, unsigned id)
{
	size_t start = 0, i, lines = 0;

	for (i = 0; i <= m->preview_len && lines < PREVIEW_LINES; i++) {
		if (i == m->preview_len || m->preview[i] == '\n') {
			char *e;
			if (i == m->preview_len && i == start)
				break;
			e = server_escape(m->preview + start, i - start, 200);
			server_log(log, id, "  | %s", e);
			free(e);
			start = i + 1;
			lines++;
		}
	}
	if (m->total > m->preview_len || lines >= PREVIEW_LINES)
		server_log(log, id, "  | ... (%llu bytes in all)", (unsigned long long)m->total);
}

long
server_store_message_commit(struct server_message *m, struct server_log *log, unsigned id,
    char **where, char **errstr)
{
	struct server_store *store = m->store;
	struct kept_message *k;
	long number;

	if (m->pending_cr) {
		m->pending_cr = false;
		keep_bytes(m, "\r", 1);
	}
	if (m->file != NULL) {
		char *new_path;
		if (fflush(m->file) != 0 || fsync(fileno(m->file)) != 0)
			m->failed = true;
		if (fclose(m->file) != 0)
			m->failed = true;
		m->file = NULL;
		if (m->failed) {
			*errstr = xasprintf("%s: %s", m->tmp_path, strerror(errno));
			unlink(m->tmp_path);
			free_message(m);
			return -1;
		}
		new_path = xasprintf("%s/new/%s", store->maildir, m->base_name);
		if (rename(m->tmp_path, new_path) != 0) {
			*errstr = xasprintf("%s: %s", new_path, strerror(errno));
			unlink(m->tmp_path);
			free(new_path);
			free_message(m);
			return -1;
		}
		*where = new_path;
	} else {
		k = &store->kept[store->next_slot];
		store->next_slot = (store->next_slot + 1) % SERVER_STORE_MESSAGES;
		free(k->data);
		k->data = m->kept;
		k->len = m->kept_len;
		k->total = m->total;
		m->kept = NULL;
		*where = xasprintf("memory (the last %d messages are kept)", SERVER_STORE_MESSAGES);
	}
	number = store->next_number++;
	if (store->maildir == NULL)
		store->kept[(store->next_slot + SERVER_STORE_MESSAGES - 1) % SERVER_STORE_MESSAGES].number = number;
	log_preview(m, log, id);
	free_message(m);
	return number;
}
