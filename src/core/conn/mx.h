/* mx.h: a domain's mail exchangers (MX records) through libresolv, sorted by preference, with an
 * optional resolver address so tests can use a DNS server on loopback. */
#ifndef SMTPSCOPE_MX_H
#define SMTPSCOPE_MX_H

#include <stdbool.h>
#include <stddef.h>

struct mx_host {
	int preference;
	char *host;        /* without the trailing dot; "" for a null MX (RFC 7504) */
};

struct mx_list {
	struct mx_host *hosts;  /* sorted by preference, lowest (best) first */
	size_t count;
	bool implicit;          /* no MX records: the domain itself is the mail host (RFC 5321
	                         * section 5.1), given as the single entry */
	bool null_mx;           /* the domain publishes "MX 0 ." : it accepts no mail */
};

/* Looks up domain's MX records (blocking). dns_server is "ADDR[:PORT]" (IPv4 or [IPv6]) or NULL
 * for the system resolver. Returns a new list, or NULL with *errstr set (caller frees) and
 * *event set to the knowledge base event key ("dns-failure"). */
struct mx_list *mx_lookup(const char *domain, const char *dns_server, char **errstr,
    const char **event);
void mx_list_free(struct mx_list *list);

/* The same look-up in a background thread, so the engine's poll loop never waits on the DNS. */
struct mx_query;

/* Starts it; NULL with *errstr set (caller frees) when no thread could be started. */
struct mx_query *mx_query_start(const char *domain, const char *dns_server, char **errstr);
/* True once the answer (or the failure) is in. */
bool mx_query_done(const struct mx_query *query);
/* Once done: what mx_lookup would have returned (the list passes to the caller). */
struct mx_list *mx_query_result(struct mx_query *query, char **errstr, const char **event);
/* Frees the query, waiting for its thread when it still runs; NULL is fine. */
void mx_query_free(struct mx_query *query);

#endif
