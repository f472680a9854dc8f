/* status_bar.c: the one-line status bar: peer and port (or the file replayed), plain or TLS and
 * whether the certificate verified, the user, the SMTP state, the last latency, the practice
 * scenario; the least important fields give way first on a narrow terminal. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/xmalloc.h"
#include "tui/tui.h"

static const char *
L(const struct tui *tui, const char *name, const char *fallback)
{
	return tui_label(tui->kb, name, fallback);
}

/* The status bar's fields, each with a priority: when the row is too narrow for all of them
 * the least important go first. */
#define STATUS_FIELDS 10
struct status_bar {
	char text[STATUS_FIELDS][160];
	attr_t attr[STATUS_FIELDS];
	int priority[STATUS_FIELDS];
	size_t n;
};

static void
status_field(struct status_bar *bar, int priority, attr_t attr, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
status_field(struct status_bar *bar, int priority, attr_t attr, const char *fmt, ...)
{
	va_list ap;

	if (bar->n == STATUS_FIELDS)
		return;
	va_start(ap, fmt);
	vsnprintf(bar->text[bar->n], sizeof bar->text[bar->n], fmt, ap);
	va_end(ap);
	bar->attr[bar->n] = attr;
	bar->priority[bar->n] = priority;
	bar->n++;
}

/* "reply 3 of 12" for the replay's status bar. */
static void
replay_position(struct tui *tui, struct status_bar *bar)
{
	size_t sel = session_view_selected(tui->session), total = transcript_reply_count(tui->transcript);
	const struct transcript_entry *e = sel != TRANSCRIPT_NO_REPLY ?
	    transcript_entry(tui->transcript, sel) : NULL;

	if (e != NULL && e->kind == TRANSCRIPT_RECEIVED && e->reply != TRANSCRIPT_NO_REPLY)
		status_field(bar, 8, 0, "%s %zu/%zu", L(tui, "ui-status-reply", "reply"),
		    (size_t)e->reply + 1, total);
}

void
status_bar_draw(struct tui *tui)
{
	struct engine_status st;
	struct status_bar bar = { .n = 0 };
	struct tui_cells cells = { 0 };
	WINDOW *w = tui->w_status;
	const char *tls_version;
	bool keep[STATUS_FIELDS];
	size_t i, total, lowest;
	bool first = true;

	if (w == NULL)
		return;
	tui_status(tui, &st);
	if (tui->replay_name != NULL) {
		status_field(&bar, 9, A_BOLD, "%s: %s", L(tui, "ui-status-replay", "replay"),
		    tui->replay_name);
		replay_position(tui, &bar);
	} else if (st.connected || st.peer != NULL)
		status_field(&bar, 9, A_BOLD, "%s:%d", st.address != NULL ? st.address :
		    st.peer != NULL ? st.peer : "?", st.port);
	else
		status_field(&bar, 9, A_BOLD, "%s", L(tui, "ui-status-disconnected",
		    "not connected"));
	tls_version = st.tls_version != NULL ? st.tls_version : "TLS";
	if (st.connected && !st.tls)
		status_field(&bar, 8, 0, "%s", L(tui, "ui-status-plain", "plain text"));
	else if (st.connected && st.verified)
		status_field(&bar, 8, 0, "%s %s", tls_version,
		    L(tui, "ui-status-verified", "verified"));
	else if (st.connected)
		status_field(&bar, 8, A_BOLD | A_UNDERLINE, "%s %s", tls_version,
		    L(tui, "ui-status-unverified", "NOT VERIFIED"));
	if (st.user != NULL)
		status_field(&bar, 7, 0, "%s %s", L(tui, "ui-status-user", "user"), st.user);
	if (st.state != NULL && st.state_key != NULL) {
		char label[48];

		snprintf(label, sizeof label, "state-%s", st.state_key);
		status_field(&bar, 6, A_BOLD, "%s", L(tui, label, st.state));
	} else if (st.state != NULL) {
		status_field(&bar, 6, A_BOLD, "%s", st.state);
	}
	if (st.waiting)
		status_field(&bar, 4, 0, "%s", L(tui, "ui-status-waiting", "waiting for reply"));
	if (st.last_latency_us >= 0)
		status_field(&bar, 2, 0, "%.1f ms", (double)st.last_latency_us / 1000.0);
	if (tui->fe->practice != NULL)
		status_field(&bar, 3, 0, "%s: %s", L(tui, "ui-status-practice", "practice"),
		    practice_scenarios(tui->fe->practice) != NULL ?
		    practice_scenarios(tui->fe->practice) : "normal");
	status_field(&bar, 5, 0, "%s", L(tui, "ui-status-help", "F1 help"));

	/* drop the least important fields until the rest fit */
	for (i = 0; i < bar.n; i++)
		keep[i] = true;
	for (;;) {
		total = 1;
		for (i = 0; i < bar.n; i++)
			if (keep[i])
				total += tui_text_width(bar.text[i]) + (total > 1 ? 3 : 0);
		if (total <= (size_t)getmaxx(w))
			break;
		lowest = bar.n;
		for (i = 0; i < bar.n; i++)
			if (keep[i] && bar.priority[i] < 9 &&
			    (lowest == bar.n || bar.priority[i] < bar.priority[lowest]))
				lowest = i;
		if (lowest == bar.n)
			break;   /* only the peer left: it is cut at the edge */
		keep[lowest] = false;
	}
	/* each field goes through the same escaping as everything else: a peer name or user
	 * typed with control characters cannot reach the terminal */
	tui_cells_add_str(&cells, " ", 0, A_REVERSE);
	for (i = 0; i < bar.n; i++) {
		if (!keep[i])
			continue;
		if (!first)
			tui_cells_add_str(&cells, " | ", 0, A_REVERSE);
		first = false;
		tui_cells_add_str(&cells, bar.text[i], 0, A_REVERSE | bar.attr[i]);
	}
	wbkgdset(w, ' ' | A_REVERSE);
	werase(w);
	wmove(w, 0, 0);
	tui_cells_draw(w, &cells, 0, cells.n, false);
	tui_cells_free(&cells);
	wnoutrefresh(w);
}
