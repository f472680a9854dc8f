/* explain_entry.c: explanations of the knowledge base's other entries: commands (with the
 * keyword of the same name), EHLO keywords, scenarios and events. */
#include "config.h"

#include <ctype.h>

#include "core/knowledge/explain_internal.h"
#include "core/util/strbuf.h"
#include "core/util/xmalloc.h"

void
explain_upper_copy(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < size && src[i] != '\0'; i++)
		dst[i] = (char)toupper((unsigned char)src[i]);
	dst[i] = '\0';
}

/* Title and description of an entry as a heading + sections; kind_label names what it is. */
static struct explanation *
build_entry(const struct kb *kb, const struct kb_entry *e, const char *kind_label)
{
	struct explanation *ex = explanation_new();
	const char *title = kb_field(kb, e, "title");

	ex->known = 1;
	ex->heading = xasprintf("%s%s%s", kb_entry_key(e), title != NULL ? " " : "",
	    title != NULL ? title : "");
	ex->summary = xstrdup(kb_label(kb, kind_label));
	return ex;
}

struct explanation *
explain_build_command(const struct kb *kb, const struct kb_entry *e, const struct kb_entry *kw)
{
	struct explanation *ex = build_entry(kb, e, kw != NULL ? "kind-command-keyword" :
	    "kind-command");
	struct strbuf learn = { 0 }, b = { 0 };
	const char *s;

	explanation_add(ex, kb, "description", kb_field(kb, e, "description"));
	/* For a command, "when" says when to use it rather than when it is seen. */
	explanation_add(ex, kb, "when-use", kb_field(kb, e, "when"));
	if ((s = kb_field(kb, e, "syntax")) != NULL)
		explanation_add_owned(ex, kb, "syntax", NULL, xstrdup(s), 1);
	if ((s = kb_field(kb, e, "example")) != NULL)
		explanation_add_owned(ex, kb, "example", NULL, xstrdup(s), 1);
	explanation_add_owned(ex, kb, "replies", NULL, explain_as_list(kb_field(kb, e, "replies")), 0);
	if (kw != NULL) {
		explain_merge_field(&b, kb, kw, NULL, "", "description");
		if ((s = kb_field(kb, kw, "parameters")) != NULL) {
			explain_sb_para(&b);
			strbuf_add(&b, kb_label(kb, "parameters"));
			strbuf_add(&b, ": ");
			strbuf_add(&b, s);
		}
		explanation_add_owned(ex, kb, "as-keyword", NULL, strbuf_take(&b), 0);
		explain_add_learn(&learn, kb_field(kb, kw, "learn"));
	}
	explain_add_learn(&learn, kb_field(kb, e, "learn"));
	explain_add_learn_section(ex, kb, &learn);
	return ex;
}

struct explanation *
explain_build_keyword(const struct kb *kb, const struct kb_entry *e)
{
	struct explanation *ex = build_entry(kb, e, "kind-keyword");
	struct strbuf learn = { 0 };
	const char *s;

	explanation_add(ex, kb, "description", kb_field(kb, e, "description"));
	explanation_add(ex, kb, "parameters", kb_field(kb, e, "parameters"));
	if ((s = kb_field(kb, e, "example")) != NULL)
		explanation_add_owned(ex, kb, "example", NULL, xstrdup(s), 1);
	/* For a keyword, "when" says what a client should do on seeing it. */
	explanation_add(ex, kb, "when-use", kb_field(kb, e, "when"));
	explain_add_learn(&learn, kb_field(kb, e, "learn"));
	explain_add_learn_section(ex, kb, &learn);
	return ex;
}

/* Scenarios and events share the general sections. */
struct explanation *
explain_build_general(const struct kb *kb, const struct kb_entry *e, const char *kind_label,
    const char *detail)
{
	struct explanation *ex = build_entry(kb, e, kind_label);
	struct strbuf learn = { 0 };

	if (detail != NULL && *detail != '\0')
		explanation_add(ex, kb, "detail", detail);
	explanation_add(ex, kb, "description", kb_field(kb, e, "description"));
	explanation_add(ex, kb, "when", kb_field(kb, e, "when"));
	explanation_add(ex, kb, "fix", kb_field(kb, e, "fix"));
	explanation_add_owned(ex, kb, "next", NULL, explain_as_list(kb_field(kb, e, "next")), 0);
	explain_add_learn(&learn, kb_field(kb, e, "learn"));
	explain_add_learn_section(ex, kb, &learn);
	return ex;
}

struct explanation *
explain_event(const struct kb *kb, const char *event, const char *detail)
{
	const struct kb_entry *e = event != NULL ? kb_find(kb, "event", event, NULL) : NULL;
	struct explanation *ex;

	if (e != NULL)
		return explain_build_general(kb, e, "kind-event", detail);
	ex = explanation_new();
	ex->heading = xstrdup(event != NULL ? event : "");
	ex->summary = xstrdup(kb_label(kb, "kind-event"));
	if (detail != NULL && *detail != '\0')
		explanation_add(ex, kb, "detail", detail);
	return ex;
}
