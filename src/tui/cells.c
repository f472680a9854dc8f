/* cells.c: turns bytes from anywhere (mostly a possibly hostile server) into character cells
 * that are safe to draw: printable UTF-8 stays itself, everything that could move the cursor,
 * change colours or confuse the terminal becomes a visible escape. Also the wrapping maths. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "core/util/escape.h"
#include "core/util/xmalloc.h"
#include "tui/tui.h"

void
tui_cells_clear(struct tui_cells *cells)
{
	cells->n = 0;
}

void
tui_cells_free(struct tui_cells *cells)
{
	free(cells->cell);
	cells->cell = NULL;
	cells->n = cells->cap = 0;
}

static void
cells_push(struct tui_cells *cells, wchar_t ch, int width, short pair, attr_t attr)
{
	if (cells->n == cells->cap) {
		cells->cap = cells->cap ? cells->cap * 2 : 128;
		cells->cell = xreallocarray(cells->cell, cells->cap, sizeof *cells->cell);
	}
	cells->cell[cells->n].ch = ch;
	cells->cell[cells->n].width = (unsigned char)width;
	cells->cell[cells->n].pair = pair;
	cells->cell[cells->n].attr = attr;
	cells->n++;
}

static void
cells_push_ascii(struct tui_cells *cells, const char *s, short pair, attr_t attr)
{
	for (; *s != '\0'; s++)
		cells_push(cells, (wchar_t)(unsigned char)*s, 1, pair, attr);
}

void
tui_cells_add_bytes(struct tui_cells *cells, const char *bytes, size_t len, short pair,
    attr_t attr, attr_t escape_attr)
{
	const unsigned char *p = (const unsigned char *)bytes;
	bool utf8_locale = MB_CUR_MAX > 1;
	char esc[16];
	size_t i = 0, n;
	uint32_t cp;
	int w;

	while (i < len) {
		if (p[i] == 0x1b) {
			cells_push_ascii(cells, "\\x1b", pair, attr | escape_attr);
			i++;
			continue;
		}
		if (p[i] == 0) {
			cells_push_ascii(cells, "\\x00", pair, attr | escape_attr);
			i++;
			continue;
		}
		if (p[i] < 0x20 || p[i] == 0x7f) {
			esc[0] = '^';
			esc[1] = p[i] == 0x7f ? '?' : (char)(p[i] + 0x40);
			esc[2] = '\0';
			cells_push_ascii(cells, esc, pair, attr | escape_attr);
			i++;
			continue;
		}
		if (p[i] < 0x80) {
			cells_push(cells, (wchar_t)p[i], 1, pair, attr);
			i++;
			continue;
		}
		n = escape_utf8_decode(p + i, len - i, &cp);
		if (n == 0 || !utf8_locale) {
			snprintf(esc, sizeof esc, "\\x%02x", p[i]);
			cells_push_ascii(cells, esc, pair, attr | escape_attr);
			i++;
			continue;
		}
		/* Controls and the code points that reorder or hide text are the ones every
		 * view hides (escape.h); the rest by their width on the terminal. */
		w = escape_codepoint_hidden(cp) ? -1 : wcwidth((wchar_t)cp);
		if (w <= 0 || w > 2) {
			/* C1 controls, combining marks on nothing, unassigned: show the code point */
			snprintf(esc, sizeof esc, "\\u%04lx", (unsigned long)cp);
			cells_push_ascii(cells, esc, pair, attr | escape_attr);
		} else
			cells_push(cells, (wchar_t)cp, w, pair, attr);
		i += n;
	}
}

void
tui_cells_add_str(struct tui_cells *cells, const char *s, short pair, attr_t attr)
{
	tui_cells_add_bytes(cells, s, strlen(s), pair, attr, A_REVERSE);
}

size_t
tui_cells_width(const struct tui_cells *cells)
{
	size_t i, w = 0;

	for (i = 0; i < cells->n; i++)
		w += cells->cell[i].width;
	return w;
}

size_t
tui_text_width(const char *s)
{
	struct tui_cells cells = { 0 };
	size_t w;

	tui_cells_add_str(&cells, s, 0, 0);
	w = tui_cells_width(&cells);
	tui_cells_free(&cells);
	return w;
}

void
tui_cells_draw(WINDOW *win, const struct tui_cells *cells, size_t from, size_t to, bool colour)
{
	int maxx = getmaxx(win), x, y;
	wchar_t wch[2];
	cchar_t cc;
	size_t i;

	getyx(win, y, x);
	(void)y;
	for (i = from; i < to && i < cells->n; i++) {
		const struct tui_cell *c = &cells->cell[i];

		if (x + c->width > maxx)
			break;
		wch[0] = c->ch;
		wch[1] = L'\0';
		setcchar(&cc, wch, c->attr, colour ? c->pair : 0, NULL);
		/* The last column of the last row would scroll some windows: draw it in place. */
		if (x + c->width == maxx)
			wins_wch(win, &cc);
		else
			wadd_wch(win, &cc);
		x += c->width;
		if (x < maxx)
			wmove(win, getcury(win), x);
	}
}

size_t
tui_cells_row_end(const struct tui_cells *cells, size_t from, int width)
{
	int w = 0;
	size_t i;

	if (width < 2)
		width = 2;
	for (i = from; i < cells->n; i++) {
		if (w + cells->cell[i].width > width)
			break;
		w += cells->cell[i].width;
	}
	return i == from ? from + 1 : i;
}

size_t
tui_cells_word_end(const struct tui_cells *cells, size_t from, int width)
{
	size_t end = tui_cells_row_end(cells, from, width), i;

	if (end >= cells->n)
		return end;
	/* break after the last space in the row, when the row has one */
	for (i = end; i > from; i--)
		if (cells->cell[i - 1].ch == L' ' && i - 1 > from)
			return i;
	return end;
}
