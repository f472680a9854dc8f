/* fuzz_target.c: libFuzzer target for net_parse_target, the parser of "HOST", "HOST:PORT",
 * "[v6addr]:PORT" and bare IPv6 targets. The input, cut at its first NUL, is the target; its
 * last byte picks the default port. A target that parses must give a host and a port in range,
 * and writing them back as HOST:PORT (or [HOST]:PORT) must parse to the same pair; a refusal
 * must come with a message and no host. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conn/net.h"
#include "core/util/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int default_ports[] = { 25, 465, 587, 2525 };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *target = xmalloc(size + 1), *host = NULL, *again_host = NULL, *err = NULL, *back;
	int default_port = default_ports[size > 0 ? data[size - 1] % 4 : 0], port = -1, again_port;

	memcpy(target, data, size);
	target[size] = '\0';
	if (net_parse_target(target, default_port, &host, &port, &err) < 0) {
		if (err == NULL || host != NULL)
			abort();
		free(err);
		free(target);
		return 0;
	}
	if (host == NULL || err != NULL || port < 1 || port > 65535)
		abort();
	/* A parsed host is never empty and holds no bracket; an address with colons is IPv6. */
	if (*host == '\0' || strpbrk(host, "[]") != NULL)
		abort();
	if (strchr(host, ':') != NULL && !net_is_address(host))
		abort();
	back = strchr(host, ':') != NULL ? xasprintf("[%s]:%d", host, port)
	                                 : xasprintf("%s:%d", host, port);
	if (net_parse_target(back, 1, &again_host, &again_port, &err) < 0)
		abort();
	if (strcmp(again_host, host) != 0 || again_port != port)
		abort();
	free(again_host);
	free(back);
	free(host);
	free(target);
	return 0;
}
