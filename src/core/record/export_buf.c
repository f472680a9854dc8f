/* export_buf.c: the export writer's output buffer: either in front of a FILE (flushed in
 * large writes, which is much cheaper than stdio call by call) or growing in memory (to keep
 * a rendering for the explanation cache). */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/record/export_internal.h"
#include "core/util/xmalloc.h"

void
export_ob_flush(struct obuf *o)
{
	if (o->sink == NULL || o->len == 0)
		return;
	if (fwrite(o->data, 1, o->len, o->sink) != o->len)
		o->failed = true;
	o->len = 0;
}

void
export_ob_write(struct obuf *o, const void *p, size_t n)
{
	if (o->len + n > o->cap) {
		if (o->sink != NULL) {
			export_ob_flush(o);
			if (n > o->cap) {
				if (fwrite(p, 1, n, o->sink) != n)
					o->failed = true;
				return;
			}
		} else {
			while (o->len + n > o->cap)
				o->cap = o->cap != 0 ? o->cap * 2 : 1024;
			o->data = xreallocarray(o->data, o->cap, 1);
		}
	}
	memcpy(o->data + o->len, p, n);
	o->len += n;
}

/* Makes room for n more bytes: flushes to the sink, or grows a memory buffer. */
void
export_ob_room(struct obuf *o, size_t n)
{
	if (o->len + n <= o->cap)
		return;
	export_ob_flush(o);
	if (o->len + n <= o->cap)
		return;
	while (o->len + n > o->cap)
		o->cap = o->cap != 0 ? o->cap * 2 : 1024;
	o->data = xreallocarray(o->data, o->cap, 1);
}

void
export_ob_printf(struct obuf *o, const char *fmt, ...)
{
	char small[256], *big = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		export_ob_write(o, small, (size_t)n);
		return;
	}
	va_start(ap, fmt);
	big = xvasprintf(fmt, ap);
	va_end(ap);
	export_ob_puts(o, big);
	free(big);
}
