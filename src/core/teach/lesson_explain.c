/* lesson_explain.c: builds the lesson pane's explanation (the current step, its hint and the
 * progress so far, or the list of lessons) with labels from the knowledge base, English when
 * it has none. Knows nothing of screens: the front ends show it like any other explanation. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/teach/lesson_internal.h"
#include "core/util/xmalloc.h"


const char *const lesson_label_names[] = {
	"lesson", "lesson-step", "lesson-of", "lesson-complete", "lesson-about", "lesson-try",
	"lesson-expect", "lesson-hint", "lesson-progress", "lesson-done", "lesson-list",
	"lesson-start", NULL
};

/* English when the knowledge base has no label (or there is no knowledge base). */
static const char *const lesson_label_english[] = {
	"Lesson", "step", "of", "complete", "About This Lesson", "What to Try",
	"What to Expect", "Hint", "Progress", "Well Done", "Lessons",
	"Start one with /lesson NAME (smtpscope lesson NAME from the shell).", NULL
};

static const char *
label(const struct kb *kb, const char *name)
{
	const char *text = kb != NULL ? kb_label(kb, name) : NULL;
	size_t i;

	if (text != NULL && strcmp(text, name) != 0)
		return text;
	for (i = 0; lesson_label_names[i] != NULL; i++)
		if (strcmp(lesson_label_names[i], name) == 0)
			return lesson_label_english[i];
	return name;
}

static void
add_section(struct explanation *x, const struct kb *kb, const char *name, char *text, int pre)
{
	struct explanation_section *s;

	if (text == NULL)
		return;
	x->sections = xreallocarray(x->sections, x->nsections + 1, sizeof *x->sections);
	s = &x->sections[x->nsections++];
	s->label = xstrdup(label(kb, name));
	s->name = xstrdup(name);
	s->text = text;
	s->preformatted = pre;
}

static char *
progress_text(const struct lesson_progress *p)
{
	const struct lesson *l = p->lesson;
	char *out = xstrdup(""), *next;
	size_t i;

	for (i = 0; i < l->nsteps; i++) {
		next = xasprintf("%s%s[%s] %zu. %s", out, i ? "\n" : "",
		    i < p->step ? "x" : i == p->step ? ">" : " ", i + 1, l->steps[i].title);
		free(out);
		out = next;
	}
	return out;
}

struct explanation *
lesson_progress_explanation(const struct lesson_progress *p, const struct kb *kb)
{
	const struct lesson *l = p->lesson;
	struct explanation *x = xcalloc(1, sizeof *x);
	const char *title = l->title != NULL ? l->title : l->name;

	x->known = 1;
	if (lesson_progress_complete(p)) {
		x->heading = xasprintf("%s: %s \u2014 %s", label(kb, "lesson"), title,
		    label(kb, "lesson-complete"));
		x->summary = lesson_progress_fill(p, l->summary);
		add_section(x, kb, "lesson-done", lesson_progress_fill(p, l->done), 0);
		add_section(x, kb, "lesson-progress", progress_text(p), 1);
		return x;
	}
	x->heading = xasprintf("%s: %s \u2014 %s %zu %s %zu", label(kb, "lesson"), title,
	    label(kb, "lesson-step"), p->step + 1, label(kb, "lesson-of"), l->nsteps);
	x->summary = lesson_progress_fill(p, l->steps[p->step].title);
	if (p->step == 0)
		add_section(x, kb, "lesson-about", lesson_progress_fill(p, l->description), 0);
	add_section(x, kb, "lesson-try", lesson_progress_fill(p, l->steps[p->step].try_text), 0);
	add_section(x, kb, "lesson-expect", lesson_progress_fill(p, l->steps[p->step].expect), 0);
	if (p->hint != NULL)
		add_section(x, kb, "lesson-hint", xstrdup(p->hint), 0);
	add_section(x, kb, "lesson-progress", progress_text(p), 1);
	return x;
}

struct explanation *
lesson_set_explanation(const struct lesson_set *set, const struct kb *kb)
{
	struct explanation *x = xcalloc(1, sizeof *x);
	char *list = xstrdup(""), *next;
	size_t i;

	x->known = 1;
	x->heading = xstrdup(label(kb, "lesson-list"));
	x->summary = xstrdup(label(kb, "lesson-start"));
	for (i = 0; i < lesson_set_count(set); i++) {
		const struct lesson *l = set->lessons[i];

		next = xasprintf("%s%s- %s: %s", list, i ? "\n" : "", l->name,
		    l->summary != NULL ? l->summary : "");
		free(list);
		list = next;
	}
	if (*list == '\0') {
		free(list);
		list = NULL;
	}
	add_section(x, kb, "lesson-list", list, 0);
	return x;
}
