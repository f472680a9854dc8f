/* fuzz_annotate.c: libFuzzer target for the capture readers and the exports (what
 * `smtpscope annotate` runs). The first byte picks the input format (auto, smtpscope, swaks,
 * cs, raw, log), the second the output (text, Markdown, HTML), the level and a tiny line cap;
 * the rest is the capture. Whatever the bytes, the output must never carry an ESC, a NUL or
 * another C0 control other than newline (everything from the wire is escaped), and HTML must
 * never open a <script> element. Uses the real knowledge base in help/. */
#define _GNU_SOURCE 1
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/record/capture.h"
#include "core/record/export.h"
#include "core/knowledge/kb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct kb *
knowledge(void)
{
	static struct kb *kb;
	static int tried;

	if (!tried) {
		/* help/ of the source tree: $top_srcdir, else from where this file was compiled. */
		const char *top = getenv("top_srcdir");
		char dir[4096], *err = NULL;

		tried = 1;
		if (top != NULL) {
			snprintf(dir, sizeof dir, "%s/help", top);
		} else {
			const char *cut = strstr(__FILE__, "tests/fuzz/fuzz_annotate.c");

			snprintf(dir, sizeof dir, "%.*shelp", cut != NULL ? (int)(cut - __FILE__) : 0,
			    __FILE__);
		}
		kb = kb_load(dir, "en", &err);
		free(err);
	}
	return kb;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct capture_options copts = { 0 };
	struct export_options eopts = { 0 };
	struct capture_reader *reader;
	struct export_writer *writer;
	struct capture_item item;
	char *out = NULL, *err = NULL;
	size_t out_len = 0, i;
	FILE *in, *fp;

	if (size < 3)
		return 0;
	copts.format = (enum capture_format)(data[0] % 6);
	copts.line_cap = (data[1] & 0x80) ? 64 : 0;
	copts.show_secrets = (data[1] & 0x40) != 0;
	eopts.format = (enum export_format)(data[1] % 3);
	eopts.level = (data[1] / 3) % 2 ? EXPORT_LEVEL_FULL : EXPORT_LEVEL_SHORT;
	eopts.utf8 = (data[1] & 0x20) != 0;
	eopts.width = 40 + data[2] % 80;
	in = fmemopen((void *)(data + 3), size - 3 > 0 ? size - 3 : 1, "r");
	fp = open_memstream(&out, &out_len);
	if (in == NULL || fp == NULL)
		abort();
	reader = capture_reader_new(in, &copts);
	writer = export_writer_new(fp, knowledge(), &eopts);
	while (capture_reader_next(reader, &item, &err) > 0) {
		struct export_line line = {
			.kind = EXPORT_LINE_OTHER, .text = item.text, .len = item.len,
			.full_len = item.full_len, .tls = item.tls, .secret = item.secret,
			.time_us = item.time_us,
		};

		if (item.kind == CAPTURE_REPLY) {
			export_writer_reply(writer, item.reply, item.after, item.latency_us);
			continue;
		}
		if (item.kind == CAPTURE_CLIENT)
			line.kind = EXPORT_LINE_CLIENT;
		else if (item.kind == CAPTURE_SERVER)
			line.kind = EXPORT_LINE_SERVER;
		export_writer_line(writer, &line);
		if (item.enhanced[0] != '\0')
			export_writer_status(writer, item.enhanced);
		if (item.event[0] != '\0')
			export_writer_event(writer, item.event);
	}
	free(err);
	err = NULL;
	if (export_writer_finish(writer, &err) != 0)
		abort();
	export_writer_free(writer);
	capture_reader_free(reader);
	fclose(in);
	fclose(fp);

	for (i = 0; i < out_len; i++) {
		unsigned char c = (unsigned char)out[i];

		if ((c < 0x20 && c != '\n') || c == 0x7f)
			abort();  /* a control byte reached the output */
	}
	if (eopts.format == EXPORT_HTML && memmem(out, out_len, "<script", 7) != NULL)
		abort();
	free(out);
	return 0;
}
