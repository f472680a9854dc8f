/* mx.c: MX look-ups with libresolv (res_nquery + ns_initparse) in a private resolver state, so a
 * --dns-server never changes the process's resolver. */
#include "config.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <resolv.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/conn/mx.h"
#include "core/conn/net.h"
#include "core/util/xmalloc.h"

/* Sets the resolver state's only nameserver from "ADDR[:PORT]". */
static int
set_server(res_state st, const char *spec, char **errstr)
{
	struct sockaddr_in sin;
	char *host = NULL;
	int port;

	if (net_parse_target(spec, NAMESERVER_PORT, &host, &port, errstr) < 0)
		return -1;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
		/* glibc keeps IPv6 name servers in private fields; only IPv4 can be set portably. */
		*errstr = xasprintf("--dns-server needs an IPv4 address (ADDR[:PORT]), not '%s'",
		    spec);
		free(host);
		return -1;
	}
	free(host);
	st->nscount = 1;
	st->nsaddr_list[0] = sin;
	st->retrans = 2;
	st->retry = 2;
	return 0;
}

static int
compare_hosts(const void *a, const void *b)
{
	const struct mx_host *x = a, *y = b;

	if (x->preference != y->preference)
		return x->preference < y->preference ? -1 : 1;
	return strcmp(x->host, y->host);
}

static const char *
h_errno_words(int herr)
{
	switch (herr) {
	case HOST_NOT_FOUND:
		return "the domain does not exist (NXDOMAIN)";
	case TRY_AGAIN:
		return "the DNS server did not answer, or answered SERVFAIL (try again later)";
	case NO_RECOVERY:
		return "the DNS server refused or could not answer the query";
	case NO_DATA:
		return "the domain has no MX records";
	default:
		return "the DNS query failed";
	}
}

struct mx_list *
mx_lookup(const char *domain, const char *dns_server, char **errstr, const char **event)
{
	struct __res_state st;
	unsigned char answer[NS_MAXMSG];
	struct mx_list *list;
	ns_msg msg;
	ns_rr rr;
	int len, i, count, herr, unreadable = 0;
	char name[NS_MAXDNAME];

	*event = "dns-failure";
	memset(&st, 0, sizeof st);
	if (res_ninit(&st) != 0) {
		*errstr = xstrdup("cannot set up the DNS resolver (is /etc/resolv.conf readable?)");
		return NULL;
	}
	if (dns_server != NULL && set_server(&st, dns_server, errstr) < 0) {
		res_nclose(&st);
		return NULL;
	}
	list = xcalloc(1, sizeof *list);
	len = res_nquery(&st, domain, ns_c_in, ns_t_mx, answer, sizeof answer);
	herr = st.res_h_errno;
	res_nclose(&st);
	if (len < 0) {
		if (herr == NO_DATA) {
			/* RFC 5321 section 5.1: no MX means the domain's own address is the host. */
			list->implicit = true;
			list->hosts = xcalloc(1, sizeof *list->hosts);
			list->hosts[0].host = xstrdup(domain);
			list->count = 1;
			return list;
		}
		*errstr = xasprintf("MX look-up for %s failed: %s", domain, h_errno_words(herr));
		free(list);
		return NULL;
	}
	if (ns_initparse(answer, len, &msg) < 0) {
		*errstr = xasprintf("MX look-up for %s: the DNS answer could not be parsed", domain);
		free(list);
		return NULL;
	}
	count = ns_msg_count(msg, ns_s_an);
	list->hosts = xcalloc((size_t)count + 1, sizeof *list->hosts);
	for (i = 0; i < count; i++) {
		const unsigned char *rdata;

		if (ns_parserr(&msg, ns_s_an, i, &rr) < 0) {
			unreadable++;
			continue;
		}
		if (ns_rr_type(rr) != ns_t_mx)
			continue;
		rdata = ns_rr_rdata(rr);
		/* A name that cannot be expanded (a compression loop, a pointer past the end) makes
		 * the record unreadable, not absent. */
		if (ns_rr_rdlen(rr) < 3 || dn_expand(ns_msg_base(msg), ns_msg_end(msg), rdata + 2,
		    name, sizeof name) < 0) {
			unreadable++;
			continue;
		}
		list->hosts[list->count].preference = ns_get16(rdata);
		list->hosts[list->count].host = xstrdup(name);
		list->count++;
	}
	if (list->count == 0 && unreadable > 0) {
		/* RFC 5321 section 5.1 falls back to the domain's own address only when there is no
		 * MX record at all; records that cannot be read are a broken answer. */
		*errstr = xasprintf("MX look-up for %s: the DNS answer is malformed (%d record(s) "
		    "could not be parsed: a host name that cannot be expanded); not falling back to "
		    "the domain's own address", domain, unreadable);
		free(list->hosts);
		free(list);
		return NULL;
	}
	if (list->count == 0) {
		list->implicit = true;
		list->hosts[0].host = xstrdup(domain);
		list->count = 1;
		return list;
	}
	qsort(list->hosts, list->count, sizeof *list->hosts, compare_hosts);
	/* RFC 7504: a single MX of "." means the domain accepts no mail at all. */
	if (list->count == 1 && list->hosts[0].host[0] == '\0')
		list->null_mx = true;
	return list;
}

void
mx_list_free(struct mx_list *list)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; i < list->count; i++)
		free(list->hosts[i].host);
	free(list->hosts);
	free(list);
}

struct mx_query {
	pthread_t thread;
	char *domain;
	char *dns_server;
	struct mx_list *list;
	char *errstr;
	const char *event;
	atomic_bool done;
	bool taken;
};

static void *
query_thread(void *arg)
{
	struct mx_query *q = arg;

	q->list = mx_lookup(q->domain, q->dns_server, &q->errstr, &q->event);
	atomic_store(&q->done, true);
	return NULL;
}

struct mx_query *
mx_query_start(const char *domain, const char *dns_server, char **errstr)
{
	struct mx_query *q = xcalloc(1, sizeof *q);
	int rc;

	q->domain = xstrdup(domain);
	q->dns_server = dns_server != NULL ? xstrdup(dns_server) : NULL;
	atomic_init(&q->done, false);
	rc = pthread_create(&q->thread, NULL, query_thread, q);
	if (rc != 0) {
		*errstr = xasprintf("cannot start the MX look-up: %s", strerror(rc));
		free(q->domain);
		free(q->dns_server);
		free(q);
		return NULL;
	}
	return q;
}

bool
mx_query_done(const struct mx_query *q)
{
	return atomic_load(&((struct mx_query *)q)->done);
}

struct mx_list *
mx_query_result(struct mx_query *q, char **errstr, const char **event)
{
	struct mx_list *list = q->list;

	q->list = NULL;
	q->taken = true;
	*event = q->event;
	if (list == NULL) {
		*errstr = q->errstr;
		q->errstr = NULL;
	}
	return list;
}

void
mx_query_free(struct mx_query *q)
{
	if (q == NULL)
		return;
	pthread_join(q->thread, NULL);
	mx_list_free(q->list);
	free(q->errstr);
	free(q->domain);
	free(q->dns_server);
	free(q);
}
