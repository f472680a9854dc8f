/* server_loop.c: the practice server's I/O: listening sockets, one poll() loop in one thread,
 * and per client a non-blocking socket (plain or TLS), an input buffer the session reads lines
 * from, and an output buffer with a cap. A client that does not read its replies stops being
 * read; a client that goes quiet times out; neither can hold up the others. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/util/clock.h"
#include "core/util/xmalloc.h"
#include "server/server.h"
#include "server/server_tls.h"

#define INBUF_SIZE (SERVER_AUTH_LINE_MAX + 4096)
#define CLOSE_TIMEOUT 10.0      /* seconds to deliver the last replies before hanging up */

enum client_io { IO_PLAIN, IO_HANDSHAKE, IO_TLS };

struct server_client {
	struct server *srv;
	struct server_session *session;
	unsigned id;
	int fd;
	char peer[64];
	enum client_io io;
	struct server_tls *tls;
	int tls_want;               /* what the last TLS call waits for */
	bool tls_after_flush;       /* STARTTLS: hand over to TLS once the 220 is out */
	double handshake_start;
	char inbuf[INBUF_SIZE];
	size_t inlen;
	char *out;
	size_t outlen, outcap;
	double hold_until;
	bool close_after_flush;
	double close_deadline;      /* a client that will not read its last replies is cut */
	bool aborting;              /* close without sending what is left */
	bool peer_eof;
	bool dead;
};

struct listener {
	int fd;
	bool implicit_tls;
	int port;
};

static volatile sig_atomic_t stop_signal;

/* Seconds a TLS handshake may take (implicit TLS, or after STARTTLS): the idle timeout, as for
 * a client that says nothing, but at most SERVER_HANDSHAKE_MAX, since a real handshake takes
 * milliseconds and a stalled one holds a client slot. */
static double
handshake_timeout(const struct server *srv)
{
	return srv->cfg->idle_timeout < SERVER_HANDSHAKE_MAX ? srv->cfg->idle_timeout :
	    SERVER_HANDSHAKE_MAX;
}

static void
on_stop(int sig)
{
	stop_signal = sig;
}

void
server_client_write(struct server_client *c, const char *data, size_t len)
{
	if (c->dead)
		return;
	if (c->outlen + len > c->outcap) {
		size_t cap = c->outcap ? c->outcap : 1024;
		while (cap < c->outlen + len)
			cap *= 2;
		c->out = xreallocarray(c->out, cap, 1);
		c->outcap = cap;
	}
	memcpy(c->out + c->outlen, data, len);
	c->outlen += len;
}

void
server_client_hold_output(struct server_client *c, double until)
{
	c->hold_until = until;
}

size_t
server_client_start_tls(struct server_client *c)
{
	size_t dropped = c->inlen;

	c->tls_after_flush = true;
	return dropped;
}

void
server_client_close(struct server_client *c, bool abort)
{
	if (!c->close_after_flush)
		c->close_deadline = clock_mono_seconds() + CLOSE_TIMEOUT;
	c->close_after_flush = true;
	if (abort) {
		c->outlen = 0;
		c->aborting = true;
	}
}

bool
server_client_tls_available(const struct server_client *c)
{
	return c->srv->tls_ctx != NULL;
}

static void
client_free(struct server_client *c)
{
	if (c == NULL)
		return;
	server_session_free(c->session);
	if (c->tls != NULL)
		server_tls_free(c->tls);
	if (c->fd >= 0)
		close(c->fd);
	free(c->out);
	free(c);
}

static void
client_kill(struct server_client *c, const char *reason)
{
	if (c->dead)
		return;
	server_session_closed(c->session, reason);
	c->dead = true;
}

/* Writes what may be written now. */
static void
client_flush(struct server_client *c)
{
	size_t off = 0;
	ssize_t n;

	if (c->dead || c->outlen == 0 || c->io == IO_HANDSHAKE || c->hold_until > clock_mono_seconds())
		return;
	while (off < c->outlen) {
		if (c->io == IO_TLS) {
			n = server_tls_write(c->tls, c->out + off, c->outlen - off);
			if (n == SERVER_TLS_WANT_READ || n == SERVER_TLS_WANT_WRITE) {
				c->tls_want = (int)n;
				break;
			}
			if (n < 0) {
				client_kill(c, "TLS write failed");
				return;
			}
		} else {
			n = send(c->fd, c->out + off, c->outlen - off, MSG_NOSIGNAL);
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
				break;
			if (n < 0) {
				client_kill(c, strerror(errno));
				return;
			}
		}
		off += (size_t)n;
	}
	memmove(c->out, c->out + off, c->outlen - off);
	c->outlen -= off;
}

static void
client_read(struct server_client *c)
{
	ssize_t n;

	while (!c->dead && !c->peer_eof && c->inlen < sizeof c->inbuf) {
		if (c->io == IO_TLS) {
			n = server_tls_read(c->tls, c->inbuf + c->inlen, sizeof c->inbuf - c->inlen);
			if (n == SERVER_TLS_WANT_READ || n == SERVER_TLS_WANT_WRITE) {
				c->tls_want = (int)n;
				return;
			}
			if (n == SERVER_TLS_ERROR) {
				client_kill(c, "TLS read failed (connection reset or bad TLS record)");
				return;
			}
		} else {
			n = recv(c->fd, c->inbuf + c->inlen, sizeof c->inbuf - c->inlen, 0);
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
				return;
			if (n < 0) {
				client_kill(c, strerror(errno));
				return;
			}
		}
		if (n == 0) {
			c->peer_eof = true;
			return;
		}
		c->inlen += (size_t)n;
		if (c->io != IO_TLS)
			return;   /* one recv per turn is fair to the others */
	}
}

static void
client_handshake(struct server_client *c)
{
	char *err = NULL;
	int r = server_tls_handshake(c->tls, &err);

	if (r == 1) {
		c->io = IO_TLS;
		c->tls_want = 0;
		server_session_tls_ready(c->session, server_tls_description(c->tls));
	} else if (r == SERVER_TLS_WANT_READ || r == SERVER_TLS_WANT_WRITE) {
		c->tls_want = r;
	} else {
		char *reason = xasprintf("%s", err ? err : "TLS handshake failed");
		c->outlen = 0;
		client_kill(c, reason);
		free(reason);
		free(err);
	}
}

static void
client_start_handshake(struct server_client *c)
{
	c->tls_after_flush = false;
	c->tls = server_tls_new(c->srv->tls_ctx, c->fd);
	if (c->tls == NULL) {
		client_kill(c, "cannot start TLS");
		return;
	}
	c->io = IO_HANDSHAKE;
	c->handshake_start = clock_mono_seconds();
	client_handshake(c);
}

/* Lets the session eat what it can of the input buffer. */
static void
client_feed(struct server_client *c)
{
	size_t used;

	while (!c->dead && c->inlen > 0 && c->io != IO_HANDSHAKE && !c->tls_after_flush &&
	    c->outlen < SERVER_OUTBUF_MAX && server_session_wants_input(c->session)) {
		used = server_session_input(c->session, c->inbuf, c->inlen);
		if (used == 0)
			break;
		memmove(c->inbuf, c->inbuf + used, c->inlen - used);
		c->inlen -= used;
	}
	if (c->tls_after_flush && c->inlen > 0) {
		/* Already reported by the session; never read as if TLS protected it. */
		c->inlen = 0;
	}
}

static void
client_turn(struct server_client *c, short revents)
{
	if (c->dead)
		return;
	if (c->io == IO_HANDSHAKE) {
		if (revents)
			client_handshake(c);
		if (c->dead || c->io == IO_HANDSHAKE)
			return;
	}
	if (revents & (POLLIN | POLLHUP | POLLERR) || (c->io == IO_TLS && server_tls_pending(c->tls)))
		if (!c->tls_after_flush && !c->close_after_flush)
			client_read(c);
	if (c->tls_want && c->io == IO_TLS && (revents & (POLLIN | POLLOUT)))
		c->tls_want = 0;
	client_feed(c);
	client_flush(c);
	if (c->dead)
		return;
	if (c->tls_after_flush && c->outlen == 0) {
		client_start_handshake(c);
		return;
	}
	if (c->close_after_flush && c->outlen == 0) {
		if (c->io == IO_TLS && !c->aborting)
			server_tls_shutdown(c->tls);
		client_kill(c, c->aborting ? "cut by the server" : "closed by the server");
		return;
	}
	/* The client has said all it will say: finish answering it, then let it go. */
	if (c->peer_eof && c->outlen == 0 && c->hold_until <= clock_mono_seconds()) {
		client_kill(c, c->inlen > 0 ? "the client disconnected in the middle of a command" :
		    "the client disconnected");
		return;
	}
}

/* Opens a listening socket on host:port (port 0: a free one) and reads back the port. */
static int
listen_on(const char *host, int port, int *bound_port, char **errstr)
{
	struct addrinfo hints, *res = NULL;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof ss;
	char portstr[16];
	int fd, one = 1, e;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(portstr, sizeof portstr, "%d", port);
	if ((e = getaddrinfo(host, portstr, &hints, &res)) != 0) {
		*errstr = xasprintf("%s: %s", host, gai_strerror(e));
		return -1;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		*errstr = xasprintf("socket: %s", strerror(errno));
		freeaddrinfo(res);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 128) != 0) {
		*errstr = xasprintf("cannot listen on %s port %d: %s", host, port, strerror(errno));
		close(fd);
		freeaddrinfo(res);
		return -1;
	}
	freeaddrinfo(res);
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) != 0) {
		*errstr = xasprintf("getsockname: %s", strerror(errno));
		close(fd);
		return -1;
	}
	*bound_port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port) :
	    ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

static void
peer_name(const struct sockaddr_storage *ss, char *out, size_t outlen, int *port)
{
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, out, (socklen_t)outlen);
		*port = ntohs(s6->sin6_port);
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &s4->sin_addr, out, (socklen_t)outlen);
		*port = ntohs(s4->sin_port);
	}
}

/* How many clients fit under the file descriptor limit: one descriptor each, two with a
 * Maildir (the message file being written). Past that, accept() would fail and the waiting
 * clients would get no answer at all; below it, each one over gets 421 4.3.2. */
static size_t
clients_max(const struct server_config *cfg, unsigned long long *fd_limit)
{
	struct rlimit rl;
	size_t per = cfg->maildir != NULL ? 2 : 1, fit;

	*fd_limit = 0;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return SERVER_CLIENTS_MAX;
	*fd_limit = (unsigned long long)rl.rlim_cur;
	fit = rl.rlim_cur > SERVER_FDS_RESERVED + per ?
	    (size_t)(rl.rlim_cur - SERVER_FDS_RESERVED) / per : 1;
	return fit < SERVER_CLIENTS_MAX ? fit : SERVER_CLIENTS_MAX;
}

/* Accepts what waits on a listener. Returns -1 when accept() ran out of descriptors (the
 * caller stops listening for a moment rather than being woken again at once), else 0. */
static int
accept_clients(struct server *srv, const struct listener *l, struct server_client ***clients,
    size_t *nclients)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct server_client *c;
	int fd, port;
	char peer[64];

	for (;;) {
		sslen = sizeof ss;
		fd = accept4(l->fd, (struct sockaddr *)&ss, &sslen, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				server_log(srv->log, 0, "limit: accept: %s; not accepting for a second",
				    strerror(errno));
				return -1;
			}
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				server_log(srv->log, 0, "accept: %s", strerror(errno));
			return 0;
		}
		/* Replies are small and interactive: do not let Nagle hold them back. */
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
		peer_name(&ss, peer, sizeof peer, &port);
		if (*nclients >= srv->clients_max) {
			static const char busy[] = "421 4.3.2 Too many connections, try again later\r\n";
			server_log(srv->log, 0, "limit: %zu clients at once, turning away %s port %d",
			    srv->clients_max, peer, port);
			if (!l->implicit_tls)
				(void)send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL);
			close(fd);
			continue;
		}
		c = xcalloc(1, sizeof *c);
		c->srv = srv;
		c->fd = fd;
		c->id = ++srv->next_client_id;
		snprintf(c->peer, sizeof c->peer, "%s", peer);
		c->session = server_session_new(srv, c, c->id, peer, l->implicit_tls);
		server_log(srv->log, c->id, "connect from %s port %d to port %d (%s)", peer, port,
		    l->port, l->implicit_tls ? "implicit TLS" : "plain, STARTTLS offered");
		*clients = xreallocarray(*clients, *nclients + 1, sizeof **clients);
		(*clients)[(*nclients)++] = c;
		if (l->implicit_tls)
			client_start_handshake(c);
		else
			server_session_start(c->session);
		client_turn(c, 0);
	}
	return 0;
}

/* Everything one run of the server holds: the shared state its clients see, the listening
 * sockets, the clients in the order they came, and the poll() set built each turn (listeners
 * first, then one entry per client). */
struct server_run {
	struct server srv;
	struct listener listeners[2];
	size_t nlisteners;
	struct server_client **clients;
	size_t nclients;
	struct pollfd *pfd;
	FILE *logfile;
	int port, tls_port;
	unsigned long long fd_limit;
	double accept_paused_until;   /* out of descriptors: accept again from then on */
};

/* Opens the log, the message store, TLS and the listeners. 0, or 2 after saying why. */
static int
run_setup(struct server_run *run, const struct server_config *cfg)
{
	struct server *srv = &run->srv;
	char *err = NULL;
	int fd;

	srv->cfg = cfg;
	srv->clients_max = clients_max(cfg, &run->fd_limit);
	run->logfile = stderr;
	run->tls_port = -1;
	if (cfg->log_path != NULL && (run->logfile = fopen(cfg->log_path, "a")) == NULL) {
		fprintf(stderr, "smtpscope serve: %s: %s\n", cfg->log_path, strerror(errno));
		run->logfile = stderr;
		return 2;
	}
	srv->log = server_log_new(run->logfile);
	if ((srv->store = server_store_new(cfg->maildir, &err)) == NULL) {
		fprintf(stderr, "smtpscope serve: cannot use the Maildir: %s\n", err);
		free(err);
		return 2;
	}
	srv->tls_ctx = server_tls_ctx_new(cfg->cert_file, cfg->key_file, cfg->domain, &err);
	if (srv->tls_ctx == NULL) {
		if (cfg->cert_file != NULL) {
			fprintf(stderr, "smtpscope serve: %s\n", err);
			free(err);
			return 2;
		}
		server_log(srv->log, 0, "TLS unavailable: %s", err);
		free(err);
		err = NULL;
	}
	if ((fd = listen_on(cfg->listen_host, cfg->port, &run->port, &err)) < 0) {
		fprintf(stderr, "smtpscope serve: %s\n", err);
		free(err);
		return 2;
	}
	run->listeners[run->nlisteners++] = (struct listener){ fd, false, run->port };
	if (cfg->tls_port >= 0 && srv->tls_ctx != NULL) {
		if ((fd = listen_on(cfg->listen_host, cfg->tls_port, &run->tls_port, &err)) < 0) {
			fprintf(stderr, "smtpscope serve: %s\n", err);
			free(err);
			return 2;
		}
		run->listeners[run->nlisteners++] = (struct listener){ fd, true, run->tls_port };
	}
	return 0;
}

/* SIGTERM, SIGINT and SIGHUP stop the loop (poll() returns EINTR); a closed peer never kills. */
static void
run_signals(void)
{
	/* Whoever started us may have blocked these; we need them. */
	sigset_t stops;
	struct sigaction sa;

	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGHUP);
	sigprocmask(SIG_UNBLOCK, &stops, NULL);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;   /* no SA_RESTART: poll() returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Writes all of text to the --ready-fd descriptor, then closes it. */
static void
write_ready(int fd, const char *text)
{
	size_t off = 0, len = strlen(text);

	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n <= 0 && errno != EINTR)
			break;
		if (n > 0)
			off += (size_t)n;
	}
	close(fd);
}

/* Says where the server listens: the first line is for programs (the practice launcher,
 * tests), the rest for people; then the same in the log, with the limits and the certificate. */
static void
run_announce(struct server_run *run)
{
	const struct server_config *cfg = run->srv.cfg;
	struct server *srv = &run->srv;
	char hostbuf[80], tlsbuf[16];
	char *names = server_scenario_list_string(cfg->scenarios), *ready;

	if (strchr(cfg->listen_host, ':') != NULL)
		snprintf(hostbuf, sizeof hostbuf, "[%s]", cfg->listen_host);
	else
		snprintf(hostbuf, sizeof hostbuf, "%s", cfg->listen_host);
	if (run->tls_port >= 0)
		snprintf(tlsbuf, sizeof tlsbuf, "%d", run->tls_port);
	else
		snprintf(tlsbuf, sizeof tlsbuf, "none");
	ready = xasprintf("listening %s:%d tls-port %s user %s password %s scenario %s "
	    "domain %s\n", hostbuf, run->port, tlsbuf, cfg->users[0].name, cfg->users[0].password,
	    names, cfg->domain);
	fputs(ready, stdout);
	printf("smtpscope practice server on %s port %d (plain, %s)", hostbuf, run->port,
	    srv->tls_ctx ? "STARTTLS offered" : "no TLS");
	if (run->tls_port >= 0)
		printf(", implicit TLS on port %d", run->tls_port);
	printf("\n");
	if (cfg->nusers > 0)
		printf("practice user: %s  password: %s\n", cfg->users[0].name,
		    cfg->users[0].password);
	printf("scenario: %s; local domain: %s; SIZE %llu\n", names, cfg->domain,
	    (unsigned long long)cfg->size_max);
	printf("messages: %s%s; log: %s\n", cfg->maildir ? "Maildir " : "kept in memory",
	    cfg->maildir ? cfg->maildir : "", cfg->log_path ? cfg->log_path : "standard error");
	fflush(stdout);
	if (cfg->ready_fd >= 0)
		write_ready(cfg->ready_fd, ready);
	free(ready);
	server_log(srv->log, 0, "listening on %s port %d, scenario %s", cfg->listen_host,
	    run->port, names);
	if (run->tls_port >= 0)
		server_log(srv->log, 0, "implicit TLS on port %d", run->tls_port);
	if (cfg->listen_public)
		server_log(srv->log, 0, "WARNING: listening on %s, not on loopback: other machines can "
		    "reach this practice server", cfg->listen_host);
	if (srv->clients_max < SERVER_CLIENTS_MAX)
		server_log(srv->log, 0, "limit: %zu clients at once, not %d: the file descriptor limit "
		    "is %llu (ulimit -n)", srv->clients_max, SERVER_CLIENTS_MAX, run->fd_limit);
	if (srv->tls_ctx != NULL)
		server_log(srv->log, 0, "certificate %s, SHA-256 %s%s",
		    server_tls_ctx_subject(srv->tls_ctx), server_tls_ctx_fingerprint(srv->tls_ctx),
		    cfg->cert_file ? "" : " (self-signed, made at start)");
	free(names);
}

/* What one client waits for: its poll() events; *next moves to its nearest deadline, and
 * *urgent is set when it has work that needs no event. */
static short
client_events(struct server_client *c, double now, double *next, bool *urgent)
{
	short ev = 0;
	double d;

	if (c->dead) {
		*urgent = true;   /* freed (and its socket closed) right after poll */
		return 0;
	}
	if (c->io == IO_HANDSHAKE) {
		if (c->handshake_start + handshake_timeout(c->srv) < *next)
			*next = c->handshake_start + handshake_timeout(c->srv);
		return c->tls_want == SERVER_TLS_WANT_WRITE ? POLLOUT : POLLIN;
	}
	if (c->outlen > 0 && c->hold_until <= now)
		ev |= POLLOUT;
	if (!c->tls_after_flush && !c->close_after_flush && !c->peer_eof &&
	    c->inlen < sizeof c->inbuf && c->outlen < SERVER_OUTBUF_MAX)
		ev |= POLLIN;
	if (c->tls_want == SERVER_TLS_WANT_READ)
		ev |= POLLIN;
	if (c->io == IO_TLS && server_tls_pending(c->tls) && c->inlen < sizeof c->inbuf)
		*urgent = true;
	/* Work that needs no event: a close or a handshake after the flush. */
	if (c->outlen == 0 && (c->close_after_flush || c->tls_after_flush))
		*urgent = true;
	if (c->hold_until > now && c->hold_until < *next)
		*next = c->hold_until;
	d = server_session_deadline(c->session);
	if (d > 0 && d < *next)
		*next = d;
	if (c->close_after_flush && c->close_deadline < *next)
		*next = c->close_deadline;
	return ev;
}

/* Builds the poll() set for this turn; returns its size and sets *timeout (milliseconds) to
 * the nearest deadline, or 0 when something is urgent. */
static size_t
run_prepare_poll(struct server_run *run, int *timeout)
{
	double now = clock_mono_seconds(), next = now + 60;
	size_t npfd = run->nlisteners + run->nclients, i;
	bool urgent = false;

	run->pfd = xreallocarray(run->pfd, npfd ? npfd : 1, sizeof *run->pfd);
	for (i = 0; i < run->nlisteners; i++)
		run->pfd[i] = (struct pollfd){ run->listeners[i].fd,
		    run->accept_paused_until > now ? 0 : POLLIN, 0 };
	if (run->accept_paused_until > now && run->accept_paused_until < next)
		next = run->accept_paused_until;
	for (i = 0; i < run->nclients; i++) {
		struct server_client *c = run->clients[i];

		run->pfd[run->nlisteners + i] = (struct pollfd){ c->fd,
		    client_events(c, now, &next, &urgent), 0 };
	}
	*timeout = urgent ? 0 : (int)((next - now) * 1000) + 1;
	if (*timeout < 0)
		*timeout = 0;
	return npfd;
}

/* One client's turn after poll(): its timeouts first, then its I/O (rev), then its session's
 * timer. */
static void
client_dispatch(struct server_client *c, short rev, double now)
{
	double d;

	if (c->io == IO_HANDSHAKE && now >= c->handshake_start + handshake_timeout(c->srv)) {
		char *reason = xasprintf("TLS handshake timed out after %.1f seconds",
		    handshake_timeout(c->srv));
		client_kill(c, reason);
		free(reason);
		return;
	}
	if (c->close_after_flush && now > c->close_deadline) {
		client_kill(c, "the client did not read its last replies");
		return;
	}
	client_turn(c, rev);
	if (!c->dead && c->io != IO_HANDSHAKE) {
		d = server_session_deadline(c->session);
		if (d > 0 && now >= d) {
			server_session_timer(c->session, now);
			client_turn(c, 0);
		}
	}
}

/* Hands out what poll() found (n: its answer): each client's turn, the finished ones freed
 * (the others keep their order), then the listeners' new clients. */
static void
run_dispatch(struct server_run *run, int n)
{
	double now = clock_mono_seconds();
	size_t i;

	for (i = 0; i < run->nclients; i++)
		client_dispatch(run->clients[i], n > 0 ? run->pfd[run->nlisteners + i].revents : 0,
		    now);
	for (i = 0; i < run->nclients;) {
		if (run->clients[i]->dead) {
			client_free(run->clients[i]);
			memmove(run->clients + i, run->clients + i + 1,
			    (run->nclients - i - 1) * sizeof *run->clients);
			run->nclients--;
		} else {
			i++;
		}
	}
	if (n > 0)
		for (i = 0; i < run->nlisteners; i++)
			if ((run->pfd[i].revents & POLLIN) && accept_clients(&run->srv,
			    &run->listeners[i], &run->clients, &run->nclients) != 0)
				run->accept_paused_until = clock_mono_seconds() + 1;
}

/* Stopping: every client still talking gets its goodbye (421) flushed, then is closed. */
static void
run_shutdown(struct server_run *run)
{
	size_t i;

	if (stop_signal)
		server_log(run->srv.log, 0, "stopping on signal %d, %zu clients connected, %lu "
		    "messages accepted in all", (int)stop_signal, run->nclients,
		    run->srv.messages_accepted);
	for (i = 0; i < run->nclients; i++) {
		struct server_client *c = run->clients[i];
		if (!c->dead && c->io != IO_HANDSHAKE) {
			c->hold_until = 0;
			server_session_shutdown(c->session);
			client_flush(c);
		}
		if (!c->dead)
			client_kill(c, "server stopped");
		client_free(c);
	}
	run->nclients = 0;
}

/* Frees what run_setup made (any part of it). */
static void
run_free(struct server_run *run)
{
	size_t i;

	free(run->clients);
	free(run->pfd);
	for (i = 0; i < run->nlisteners; i++)
		close(run->listeners[i].fd);
	for (i = 0; i < run->srv.ngreylist; i++)
		free(run->srv.greylist[i].key);
	free(run->srv.greylist);
	server_store_free(run->srv.store);
	server_tls_ctx_free(run->srv.tls_ctx);
	server_log_free(run->srv.log);
	if (run->logfile != NULL && run->logfile != stderr)
		fclose(run->logfile);
}

int
server_run(const struct server_config *cfg)
{
	struct server_run run;
	size_t npfd;
	int rc, timeout, n;

	memset(&run, 0, sizeof run);
	rc = run_setup(&run, cfg);
	if (rc != 0) {
		run_free(&run);
		return rc;
	}
	run_signals();
	run_announce(&run);
	while (!stop_signal) {
		npfd = run_prepare_poll(&run, &timeout);
		n = poll(run.pfd, npfd, timeout);
		if (n < 0 && errno != EINTR) {
			server_log(run.srv.log, 0, "poll: %s", strerror(errno));
			rc = 1;
			break;
		}
		if (stop_signal)
			break;
		run_dispatch(&run, n);
	}
	run_shutdown(&run);
	run_free(&run);
	return rc;
}
