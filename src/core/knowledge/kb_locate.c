/* kb_locate.c: where the help files are (an option, $SMTPSCOPE_HELP_DIR, the build tree,
 * the installed folder) and which language the explanations are in. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/knowledge/kb_internal.h"
#include "core/util/xmalloc.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/smtpscope"
#endif

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode) && access(path, R_OK | X_OK) == 0;
}

/* True when the running binary sits in the top of the build tree (not installed). */
static bool
running_from_build_tree(void)
{
#ifdef ABS_TOP_BUILDDIR
	char exe[PATH_MAX], *slash, *top;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	bool same;

	if (n <= 0)
		return false;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash == NULL)
		return false;
	*slash = '\0';
	top = realpath(ABS_TOP_BUILDDIR, NULL);
	same = top != NULL && strcmp(top, exe) == 0;
	free(top);
	return same;
#else
	return false;
#endif
}

char *
kb_find_dir(const char *option, char **errstr)
{
	const char *env;

	if (option != NULL && *option != '\0') {
		if (is_dir(option))
			return xstrdup(option);
		if (errstr != NULL)
			*errstr = xasprintf("the help folder %s cannot be read: %s", option,
			    access(option, F_OK) != 0 ? strerror(errno) : "not a readable folder");
		return NULL;
	}
	env = getenv("SMTPSCOPE_HELP_DIR");
	if (env != NULL && *env != '\0') {
		if (is_dir(env))
			return xstrdup(env);
		if (errstr != NULL)
			*errstr = xasprintf("the help folder %s (from SMTPSCOPE_HELP_DIR) cannot be "
			    "read", env);
		return NULL;
	}
#ifdef ABS_TOP_SRCDIR
	if (running_from_build_tree() && is_dir(ABS_TOP_SRCDIR "/help"))
		return xstrdup(ABS_TOP_SRCDIR "/help");
#endif
	if (is_dir(PKGDATADIR "/help"))
		return xstrdup(PKGDATADIR "/help");
	if (errstr != NULL)
		*errstr = xasprintf("the help folder %s cannot be read (is smtpscope installed? "
		    "--help-dir DIR or SMTPSCOPE_HELP_DIR points at another)", PKGDATADIR "/help");
	return NULL;
}

/* "id_ID.UTF-8" -> "id"; NULL for C, POSIX and anything that is not a language name. */
static char *
language_of(const char *value)
{
	char lang[4];
	size_t n = 0;

	while (n < 3 && isalpha((unsigned char)value[n])) {
		lang[n] = (char)tolower((unsigned char)value[n]);
		n++;
	}
	if (n < 2 || isalpha((unsigned char)value[n]))
		return NULL;
	if (value[n] != '\0' && value[n] != '_' && value[n] != '.' && value[n] != '@' &&
	    value[n] != '-' && value[n] != ':')
		return NULL;
	lang[n] = '\0';
	return xstrdup(lang);
}

char *
kb_pick_language(const char *option)
{
	static const char *const vars[] = { "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG" };
	char *lang;
	size_t i;

	if (option != NULL && *option != '\0')
		return (lang = language_of(option)) != NULL ? lang : xstrdup("en");
	for (i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *v = getenv(vars[i]);

		if (v == NULL || *v == '\0')
			continue;
		lang = language_of(v);
		return lang != NULL ? lang : xstrdup("en");
	}
	return xstrdup("en");
}
