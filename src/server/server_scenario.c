/* server_scenario.c: the practice server's scenarios: their names, one-line summaries, and
 * which of them may be combined. What each one does lives in the state machine's files
 * (server_session.c, server_verbs.c, server_data.c, server_auth.c); what it means for a
 * learner lives in help/en/scenarios.txt. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/util/xmalloc.h"
#include "server/server.h"

static const struct {
	const char *name;
	const char *summary;
} scenarios[SCENARIO_COUNT] = {
	[SCENARIO_NORMAL] = { "normal", "a well-behaved server that accepts every message" },
	[SCENARIO_AUTH_REQUIRED] = { "auth-required", "530 5.7.0 to MAIL until the client authenticates" },
	[SCENARIO_TLS_REQUIRED] = { "tls-required", "530 5.7.0 to MAIL and AUTH until STARTTLS" },
	[SCENARIO_GREYLIST] = { "greylist", "451 4.7.1 for a new sender/recipient pair; a retry after the delay is accepted" },
	[SCENARIO_RELAY_DENIED] = { "relay-denied", "554 5.7.1 for recipients outside the local domain unless authenticated" },
	[SCENARIO_UNKNOWN_USER] = { "unknown-user", "550 5.1.1 for local recipients that have no mailbox" },
	[SCENARIO_MAILBOX_FULL] = { "mailbox-full", "452 4.2.2 at RCPT when SIZE= does not fit, 552 5.2.2 after the message when it does not" },
	[SCENARIO_TOO_BIG] = { "too-big", "advertises SIZE 10240; 552 5.3.4 for anything larger" },
	[SCENARIO_RATE_LIMIT] = { "rate-limit", "421 4.7.0 and a closed connection after a few messages" },
	[SCENARIO_BLOCKED] = { "blocked", "554 5.7.1 as the greeting: this client is not welcome" },
	[SCENARIO_BUSY] = { "busy", "421 4.3.2 as the greeting: come back later" },
	[SCENARIO_SLOW] = { "slow", "a tarpit: the greeting and every reply arrive after a delay" },
	[SCENARIO_DROP] = { "drop", "the connection is cut in the middle of the message" },
	[SCENARIO_BAD_TLS] = { "bad-tls", "STARTTLS is advertised but answered with 454 4.7.0" },
	[SCENARIO_NO_ESMTP] = { "no-esmtp", "an old server: EHLO gets 500 5.5.1, only HELO works" },
};

const char *
server_scenario_name(enum scenario s)
{
	return s < SCENARIO_COUNT ? scenarios[s].name : "?";
}

const char *
server_scenario_summary(enum scenario s)
{
	return s < SCENARIO_COUNT ? scenarios[s].summary : "?";
}

/* Pairs that leave no way through or contradict each other. */
static const struct {
	enum scenario a, b;
	const char *why;
} conflicts[] = {
	{ SCENARIO_NO_ESMTP, SCENARIO_TLS_REQUIRED, "STARTTLS needs EHLO, which no-esmtp refuses" },
	{ SCENARIO_NO_ESMTP, SCENARIO_AUTH_REQUIRED, "AUTH needs EHLO, which no-esmtp refuses" },
	{ SCENARIO_NO_ESMTP, SCENARIO_BAD_TLS, "no-esmtp never advertises STARTTLS" },
	{ SCENARIO_BAD_TLS, SCENARIO_TLS_REQUIRED, "TLS would be required but never available" },
	{ SCENARIO_BLOCKED, SCENARIO_BUSY, "the greeting cannot be both 554 and 421" },
};

int
server_scenario_parse_list(const char *list, unsigned *bits, char **errstr)
{
	char *copy, *word, *save = NULL;
	size_t i;
	int s;

	*bits = 0;
	if (list == NULL || *list == '\0')
		return 0;
	copy = xstrdup(list);
	for (word = strtok_r(copy, ", ", &save); word; word = strtok_r(NULL, ", ", &save)) {
		for (s = 0; s < SCENARIO_COUNT; s++)
			if (strcmp(word, scenarios[s].name) == 0)
				break;
		if (s == SCENARIO_COUNT) {
			*errstr = xasprintf("unknown scenario '%s' (--list-scenarios shows them)", word);
			free(copy);
			return -1;
		}
		if (s != SCENARIO_NORMAL)
			*bits |= SCENARIO_BIT(s);
	}
	free(copy);
	for (i = 0; i < sizeof conflicts / sizeof conflicts[0]; i++)
		if ((*bits & SCENARIO_BIT(conflicts[i].a)) && (*bits & SCENARIO_BIT(conflicts[i].b))) {
			*errstr = xasprintf("scenarios %s and %s do not combine: %s",
			    scenarios[conflicts[i].a].name, scenarios[conflicts[i].b].name,
			    conflicts[i].why);
			return -1;
		}
	return 0;
}

char *
server_scenario_list_string(unsigned bits)
{
	char *out = NULL, *next;
	int s;

	for (s = 1; s < SCENARIO_COUNT; s++) {
		if (!(bits & SCENARIO_BIT(s)))
			continue;
		next = out ? xasprintf("%s,%s", out, scenarios[s].name) : xstrdup(scenarios[s].name);
		free(out);
		out = next;
	}
	return out ? out : xstrdup("normal");
}

void
server_scenario_print_all(FILE *out)
{
	int s;

	for (s = 0; s < SCENARIO_COUNT; s++)
		fprintf(out, "%-14s %s\n", scenarios[s].name, scenarios[s].summary);
}
