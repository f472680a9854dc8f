/* net.c: client sockets: target parsing, getaddrinfo, a non-blocking connector that walks the
 * resolved addresses with a timeout each, and failures in plain words. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/conn/net.h"
#include "core/util/clock.h"
#include "core/util/xmalloc.h"

/* getaddrinfo's codes are negative and small; keep them apart from errno values. */
#define NET_GAI_BASE 100000

int
net_parse_target(const char *target, int default_port, char **host, int *port, char **errstr)
{
	const char *colon, *end, *p;
	char *h;
	long value;
	char *stop;

	*host = NULL;
	if (target == NULL || *target == '\0') {
		*errstr = xstrdup("no host given");
		return -1;
	}
	*port = default_port;
	if (target[0] == '[') {
		end = strchr(target, ']');
		if (end == NULL) {
			*errstr = xasprintf("'%s': '[' without a closing ']'", target);
			return -1;
		}
		h = xstrndup(target + 1, (size_t)(end - target - 1));
		if (!net_is_address(h) || strchr(h, ':') == NULL) {
			*errstr = xasprintf("'%s': brackets hold an IPv6 address, and '%s' is not one",
			    target, h);
			free(h);
			return -1;
		}
		p = end + 1;
		if (*p == '\0')
			goto done;
		if (*p != ':') {
			*errstr = xasprintf("'%s': expected ':PORT' after ']'", target);
			free(h);
			return -1;
		}
		colon = p;
	} else {
		colon = strchr(target, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL) {
			/* Several colons and no brackets: a bare IPv6 address, no port. */
			h = xstrdup(target);
			if (!net_is_address(h)) {
				*errstr = xasprintf("'%s': write an IPv6 address with a port as [ADDR]:PORT",
				    target);
				free(h);
				return -1;
			}
			goto done;
		}
		if (colon == NULL) {
			h = xstrdup(target);
			goto check_host;
		}
		h = xstrndup(target, (size_t)(colon - target));
	}
	errno = 0;
	value = strtol(colon + 1, &stop, 10);
	if (colon[1] == '\0' || *stop != '\0' || errno != 0 || value < 1 || value > 65535 ||
	    !isdigit((unsigned char)colon[1])) {
		*errstr = xasprintf("'%s': the port must be a number from 1 to 65535", target);
		free(h);
		return -1;
	}
	*port = (int)value;
	if (target[0] == '[')
		goto done;
check_host:
	if (*h == '\0') {
		*errstr = xasprintf("'%s': no host name before the port", target);
		free(h);
		return -1;
	}
	for (p = h; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' && *p != '_') {
			*errstr = xasprintf("'%s': '%c' cannot appear in a host name", target, *p);
			free(h);
			return -1;
		}
done:
	*host = h;
	return 0;
}

bool
net_is_address(const char *host)
{
	struct in6_addr a6;
	struct in_addr a4;

	return inet_pton(AF_INET, host, &a4) == 1 || inet_pton(AF_INET6, host, &a6) == 1;
}

const char *
net_error_words(int err)
{
	if (err >= NET_GAI_BASE) {
		switch (NET_GAI_BASE - err) {
		case EAI_NONAME:
			return "the name does not exist in the DNS (no such host)";
		case EAI_AGAIN:
			return "the DNS did not answer in time (temporary failure)";
		case EAI_NODATA:
			return "the name exists but has no address";
		default:
			return gai_strerror(NET_GAI_BASE - err);
		}
	}
	switch (err) {
	case ECONNREFUSED:
		return "connection refused: nothing listens on that port, or a firewall said no";
	case ETIMEDOUT:
		return "timed out: no answer at all (a firewall dropping packets, or the host is down)";
	case ENETUNREACH:
		return "network unreachable: no route from here to that network";
	case EHOSTUNREACH:
		return "host unreachable: the network answered that the host cannot be reached";
	case ECONNRESET:
		return "connection reset by peer: the other side aborted the connection";
	case EPIPE:
		return "the other side closed the connection while we were sending";
	case EADDRNOTAVAIL:
		return "address not available from this machine";
	case EAFNOSUPPORT:
		return "this machine cannot use that address family (IPv6 off?)";
	default:
		return strerror(err);
	}
}

const char *
net_error_event(int err)
{
	if (err >= NET_GAI_BASE)
		return "dns-failure";
	switch (err) {
	case ECONNREFUSED:
		return "connect-refused";
	case ETIMEDOUT:
		return "connect-timeout";
	case ENETUNREACH:
	case EHOSTUNREACH:
	case EADDRNOTAVAIL:
	case EAFNOSUPPORT:
		return "unreachable";
	case ECONNRESET:
	case EPIPE:
		return "reset";
	default:
		return "connect-failed";
	}
}

/* While a host name resolves, the connector wakes the caller to ask: after 1 ms, then twice
 * as long each time up to this. A name from /etc/hosts or a nearby cache answers within a
 * millisecond or two; a fixed 20 ms added that much to every session started by name. */
#define NET_RESOLVE_POLL_MS 20
/* How long a name may take to resolve beyond the connect timeout. */
#define NET_RESOLVE_EXTRA_MS 5000

struct net_connector {
	/* Name resolution in the background (getaddrinfo_a), so the caller never blocks. */
	bool resolving;
	int resolve_wait_ms;      /* the next wait before asking again */
	struct gaicb request;
	struct addrinfo hints;
	char *host;
	char service[16];
	struct addrinfo *list;
	struct addrinfo *current;
	int fd;
	int port;
	int timeout_ms;
	int64_t deadline_us;
	int last_error;
	net_note_fn note;
	void *ctx;
};

static char *
addr_string(const struct sockaddr *sa)
{
	char buf[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf,
		    sizeof buf);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf,
		    sizeof buf);
	return xstrdup(buf);
}

/* Reports news about the current address: "ADDR port N" followed by what happened. */
static void
note_address(struct net_connector *c, const char *event, bool failure, const char *before,
    const char *after)
{
	char *addr = addr_string(c->current->ai_addr);
	char *text = c->current->ai_family == AF_INET6 ?
	    xasprintf("%s[%s]:%d%s", before, addr, c->port, after) :
	    xasprintf("%s%s:%d%s", before, addr, c->port, after);

	c->note(c->ctx, event, text, failure);
	free(text);
	free(addr);
}

static void
note_address_error(struct net_connector *c, int err)
{
	char *after = xasprintf(": %s", net_error_words(err));

	note_address(c, net_error_event(err), true, "", after);
	free(after);
}

/* Starts connecting to c->current and the ones after it, until one is under way. Returns 0 when
 * an attempt is in progress or done (c->fd >= 0), -1 when the list ran out. */
static int
start_attempt(struct net_connector *c)
{
	int fd, flags;

	for (; c->current != NULL; c->current = c->current->ai_next) {
		note_address(c, NULL, false, "trying ", "");
		fd = socket(c->current->ai_family, c->current->ai_socktype | SOCK_CLOEXEC,
		    c->current->ai_protocol);
		if (fd < 0) {
			c->last_error = errno;
			note_address_error(c, errno);
			continue;
		}
		flags = fcntl(fd, F_GETFL);
		fcntl(fd, F_SETFL, flags | O_NONBLOCK);
		/* The engine writes whole commands (or a whole group, or message pieces) at once;
		 * Nagle's algorithm would only hold back a short write that follows one not yet
		 * acknowledged, until the server's delayed ACK (40 ms on Linux): the final ".\r\n"
		 * of a message, a command after an AUTH answer. */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
		if (connect(fd, c->current->ai_addr, c->current->ai_addrlen) == 0 ||
		    errno == EINPROGRESS) {
			c->fd = fd;
			c->deadline_us = clock_mono_us() + (int64_t)c->timeout_ms * 1000;
			return 0;
		}
		c->last_error = errno;
		note_address_error(c, errno);
		close(fd);
	}
	return -1;
}

/* A failed resolution in words; returns its event key. */
static const char *
resolve_failed(struct net_connector *c, int rc)
{
	int err = rc == EAI_SYSTEM ? errno : NET_GAI_BASE - rc;
	const char *event = rc == EAI_SYSTEM ? net_error_event(err) : "dns-failure";
	char *text = xasprintf("cannot resolve %s: %s", c->host, net_error_words(err));

	c->note(c->ctx, event, text, true);
	free(text);
	return event;
}

/* The addresses are known: reports them and starts on the first. -1 when none can start. */
static int
resolved(struct net_connector *c)
{
	struct addrinfo *ai;
	size_t n = 0;
	char *text;

	for (ai = c->list; ai != NULL; ai = ai->ai_next)
		n++;
	if (!net_is_address(c->host)) {
		text = xasprintf("%s has %zu address%s", c->host, n, n == 1 ? "" : "es");
		c->note(c->ctx, NULL, text, false);
		free(text);
	}
	c->current = c->list;
	c->last_error = ECONNREFUSED;
	return start_attempt(c);
}

struct net_connector *
net_connector_new(const char *host, int port, int timeout_ms, net_note_fn note, void *ctx,
    const char **event)
{
	struct net_connector *c = xcalloc(1, sizeof *c);
	struct gaicb *requests[1];
	int rc;

	c->fd = -1;
	c->port = port;
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : 10000;
	c->note = note;
	c->ctx = ctx;
	c->host = xstrdup(host);
	snprintf(c->service, sizeof c->service, "%d", port);
	c->hints.ai_family = AF_UNSPEC;
	c->hints.ai_socktype = SOCK_STREAM;
	if (net_is_address(host)) {
		/* A literal resolves at once, whatever addresses this machine has configured. */
		c->hints.ai_flags = AI_NUMERICHOST;
		rc = getaddrinfo(host, c->service, &c->hints, &c->list);
		if (rc != 0 || resolved(c) < 0)
			goto fail;
		return c;
	}
	c->hints.ai_flags = AI_ADDRCONFIG;
	c->request.ar_name = c->host;
	c->request.ar_service = c->service;
	c->request.ar_request = &c->hints;
	requests[0] = &c->request;
	rc = getaddrinfo_a(GAI_NOWAIT, requests, 1, NULL);
	if (rc != 0)
		goto fail_rc;
	c->resolving = true;
	c->resolve_wait_ms = 1;
	c->deadline_us = clock_mono_us() + (int64_t)(c->timeout_ms + NET_RESOLVE_EXTRA_MS) * 1000;
	return c;
fail_rc:
	*event = resolve_failed(c, rc);
	net_connector_free(c);
	return NULL;
fail:
	*event = c->list == NULL ? resolve_failed(c, rc) : net_error_event(c->last_error);
	net_connector_free(c);
	return NULL;
}

void
net_connector_free(struct net_connector *c)
{
	if (c == NULL)
		return;
	if (c->resolving && gai_cancel(&c->request) == EAI_NOTCANCELED) {
		/* The resolver thread still writes into the request: wait for it to finish. */
		const struct gaicb *wait[1] = { &c->request };

		while (gai_error(&c->request) == EAI_INPROGRESS)
			gai_suspend(wait, 1, NULL);
	}
	if (c->resolving && c->request.ar_result != NULL)
		freeaddrinfo(c->request.ar_result);
	if (c->fd >= 0)
		close(c->fd);
	if (c->list != NULL)
		freeaddrinfo(c->list);
	free(c->host);
	free(c);
}

int
net_connector_fd(const struct net_connector *c)
{
	return c->fd;
}

int
net_connector_timeout_ms(const struct net_connector *c)
{
	int64_t left = c->deadline_us - clock_mono_us();

	if (left <= 0)
		return 0;
	if (c->resolving && left / 1000 > c->resolve_wait_ms)
		return c->resolve_wait_ms;
	return (int)((left + 999) / 1000);
}

/* Checks on a resolution in progress: 0 still going or started connecting, -1 failed. */
static int
resolve_step(struct net_connector *c, const char **event)
{
	int rc = gai_error(&c->request);

	if (rc == EAI_INPROGRESS) {
		if (clock_mono_us() < c->deadline_us) {
			if (c->resolve_wait_ms < NET_RESOLVE_POLL_MS)
				c->resolve_wait_ms = c->resolve_wait_ms * 2 < NET_RESOLVE_POLL_MS ?
				    c->resolve_wait_ms * 2 : NET_RESOLVE_POLL_MS;
			return 0;
		}
		gai_cancel(&c->request);
		rc = EAI_AGAIN;
		if (gai_error(&c->request) == EAI_INPROGRESS)
			return 0;   /* cannot cancel: let it finish, then report */
	}
	c->resolving = false;
	c->list = c->request.ar_result;
	c->request.ar_result = NULL;
	if (rc != 0 || c->list == NULL) {
		if (c->list != NULL) {
			freeaddrinfo(c->list);
			c->list = NULL;
		}
		*event = resolve_failed(c, rc != 0 ? rc : EAI_NONAME);
		return -1;
	}
	if (resolved(c) < 0) {
		*event = net_error_event(c->last_error);
		return -1;
	}
	return 0;
}

int
net_connector_step(struct net_connector *c, short revents, int *fd, char **address,
    const char **event)
{
	int err = 0;
	socklen_t len = sizeof err;

	if (c->resolving)
		return resolve_step(c, event);
	if (c->fd < 0)
		return -1;
	if (revents & (POLLOUT | POLLERR | POLLHUP)) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err == 0) {
			*fd = c->fd;
			*address = addr_string(c->current->ai_addr);
			note_address(c, "connected", false, "connected to ", "");
			c->fd = -1;
			return 1;
		}
	} else if (clock_mono_us() >= c->deadline_us) {
		err = ETIMEDOUT;
	} else {
		return 0;
	}
	c->last_error = err;
	note_address_error(c, err);
	close(c->fd);
	c->fd = -1;
	c->current = c->current->ai_next;
	if (start_attempt(c) < 0) {
		*event = net_error_event(c->last_error);
		return -1;
	}
	return 0;
}

ssize_t
net_send(int fd, const void *data, size_t len)
{
	ssize_t n;

	do
		n = send(fd, data, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n;
}

ssize_t
net_recv(int fd, void *buf, size_t cap)
{
	ssize_t n;

	do
		n = recv(fd, buf, cap, 0);
	while (n < 0 && errno == EINTR);
	return n;
}
