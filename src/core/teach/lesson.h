/* lesson.h: guided lessons. Lesson files are plain text in help/lessons/ (format in
 * help/lessons/README.md), read with the knowledge base's parser; a progress tracker watches a
 * session's transcript and status, moves through the steps as their checks pass, gives hints
 * when something else happened, and describes where the learner is as a struct explanation that
 * any front end can show like any other explanation. */
#ifndef SMTPSCOPE_LESSON_H
#define SMTPSCOPE_LESSON_H

#include <stdbool.h>
#include <stddef.h>

#include "core/knowledge/explain.h"
#include "core/knowledge/kb.h"
#include "core/record/transcript.h"

struct lesson;
struct lesson_set;
struct lesson_progress;

/* ---- loading ---- */

/* An empty set of lessons; lesson_set_free(NULL) is fine. */
struct lesson_set *lesson_set_new(void);
void lesson_set_free(struct lesson_set *set);

/* Reads every NAME.txt of dir in name order (the order of `lesson --list`). When lang is not
 * NULL nor "en" and dir/LANG/NAME.txt exists, its fields are preferred, field by field, over the
 * English file's. Malformed lines become diagnostics ("file:line: what is wrong") and the rest
 * still loads. Returns 0, or -1 with *errstr set (caller frees) when dir cannot be read. */
int lesson_set_load_dir(struct lesson_set *set, const char *dir, const char *lang,
    char **errstr);

/* Adds one lesson file given in memory (name is used in diagnostics), with an optional
 * translation (tr_data NULL for none). For tests and fuzzing: the same checks as the files. */
void lesson_set_add_buffer(struct lesson_set *set, const char *name, const void *data,
    size_t len, const char *tr_name, const void *tr_data, size_t tr_len);

size_t lesson_set_count(const struct lesson_set *set);
const struct lesson *lesson_set_get(const struct lesson_set *set, size_t i);
/* The lesson called name, or NULL. */
const struct lesson *lesson_set_find(const struct lesson_set *set, const char *name);
size_t lesson_set_diagnostic_count(const struct lesson_set *set);
const char *lesson_set_diagnostic(const struct lesson_set *set, size_t i);

/* What `/lesson` with no name shows: heading "Lessons", a one-line summary saying how to start
 * one, and a section "lesson-list" with one "- NAME: summary" item per lesson. Labels through
 * kb_label (kb may be NULL: English). Caller frees with explanation_free. */
struct explanation *lesson_set_explanation(const struct lesson_set *set, const struct kb *kb);

/* ---- a lesson (owned by its set) ---- */

const char *lesson_name(const struct lesson *lesson);      /* "first-contact" */
const char *lesson_title(const struct lesson *lesson);     /* "First contact" */
const char *lesson_summary(const struct lesson *lesson);   /* one line for --list */
/* The practice server scenarios it needs ("greylist"); "normal" when the file names none. */
const char *lesson_scenario(const struct lesson *lesson);
const char *lesson_description(const struct lesson *lesson);  /* may be NULL */
const char *lesson_done(const struct lesson *lesson);         /* may be NULL */

size_t lesson_step_count(const struct lesson *lesson);
/* Fields of step i (0-based): title, try and check are always there; expect and hint may be
 * NULL. check is the text as written, one check per line. */
const char *lesson_step_title(const struct lesson *lesson, size_t i);
const char *lesson_step_try(const struct lesson *lesson, size_t i);
const char *lesson_step_expect(const struct lesson *lesson, size_t i);
const char *lesson_step_hint(const struct lesson *lesson, size_t i);
const char *lesson_step_check(const struct lesson *lesson, size_t i);

/* ---- progress through one lesson ---- */

/* What lesson_progress_feed noticed (bits). */
#define LESSON_STEP_PASSED 1u   /* the step's checks all passed; the next step is current */
#define LESSON_HINT        2u   /* a new hint for the current step (lesson_progress_hint) */
#define LESSON_COMPLETE    4u   /* the last step passed */

/* A tracker at step 1 that has seen nothing yet. The lesson must outlive it. */
struct lesson_progress *lesson_progress_new(const struct lesson *lesson);
void lesson_progress_free(struct lesson_progress *progress);

/* Starts watching at transcript entry first (the transcript's count when a lesson starts in
 * the middle of a session): what came before is never fed and never counts. */
void lesson_progress_start_at(struct lesson_progress *progress, size_t first);

/* Values for {NAME} in the lesson's texts: "user" and "password" (the practice user); the
 * tracker adds "user-b64", "password-b64" and "plain-b64" (an AUTH PLAIN response) from them.
 * Copies both strings. */
void lesson_progress_set_var(struct lesson_progress *progress, const char *name,
    const char *value);

/* What a front end knows of the live session (from its engine's status) that a lesson's
 * checks read; the strings are borrowed for the call. */
struct lesson_status {
	bool connected;
	bool tls;
	const char *user;       /* the authenticated identity, NULL when none */
	const char *state_key;  /* a session_state_key ("after-ehlo"), or NULL */
	const char *state;      /* the state in words, read when state_key is NULL */
};

/* Feeds transcript entry i (each entry once, in order) with the session status as it is now
 * (NULL when there is none: state, tls and authenticated then come from the transcript alone).
 * A step only passes on entries recorded after it became current. Returns LESSON_* bits. */
unsigned lesson_progress_feed(struct lesson_progress *progress,
    const struct transcript *transcript, size_t i, const struct lesson_status *status);

/* Feeds every entry not fed yet; returns the bits of all of them. For a front end's engine
 * listener: call it with the transcript and the status after each new entry. */
unsigned lesson_progress_catch_up(struct lesson_progress *progress,
    const struct transcript *transcript, const struct lesson_status *status);

/* The current step, 0-based; lesson_step_count() once the lesson is complete. */
size_t lesson_progress_step(const struct lesson_progress *progress);
bool lesson_progress_complete(const struct lesson_progress *progress);
/* The latest hint for the current step ({NAME} filled in), or NULL; owned by the tracker,
 * valid until the next feed. */
const char *lesson_progress_hint(const struct lesson_progress *progress);
/* How many hints were given in the whole lesson so far. */
size_t lesson_progress_hint_count(const struct lesson_progress *progress);

/* A lesson text with {NAME} filled in from the variables; caller frees. NULL gives NULL. */
char *lesson_progress_fill(const struct lesson_progress *progress, const char *text);

/* Where the learner is, for an explanation pane: heading "Lesson: First contact — step 2 of 5",
 * the step's title as summary, then sections named lesson-about (step 1 only), lesson-try,
 * lesson-expect, lesson-hint (when there is one), lesson-progress (preformatted), and
 * lesson-done once complete. Labels through kb_label (kb may be NULL: English). Caller frees
 * with explanation_free. */
struct explanation *lesson_progress_explanation(const struct lesson_progress *progress,
    const struct kb *kb);

/* The labels the lesson explanation uses (NULL-terminated), for completeness checks. */
extern const char *const lesson_label_names[];

#endif
