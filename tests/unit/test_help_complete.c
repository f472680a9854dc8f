/* test_help_complete.c: the real knowledge base in help/ is complete and clean: it loads without a
 * single diagnostic, every basic reply code, every enhanced status code of the IANA registry
 * (tests/data/iana-enhanced-status-codes.tsv), the status classes and subjects, every command and
 * every EHLO keyword (tests/data/smtp-service-extensions.tsv) has an entry whose sections are
 * filled, every label has its Indonesian text, and the Indonesian basic codes are translated.
 * Each missing piece is printed, so the list says what is left to write. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/knowledge/explain.h"
#include "core/knowledge/kb.h"
#include "core/util/xmalloc.h"

static const char *const basic_codes[] = {
	/* RFC 5321 */
	"211", "214", "220", "221", "250", "251", "252", "354", "421", "450", "451", "452",
	"455", "500", "501", "502", "503", "504", "550", "551", "552", "553", "554", "555",
	/* AUTH, RFC 4954 */
	"235", "334", "432", "454", "530", "534", "535", "538",
	/* null MX, RFC 7504 */
	"521", "556",
	NULL
};

static const char *const commands[] = {
	"HELO", "EHLO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "VRFY", "EXPN", "HELP", "NOOP",
	"QUIT", "STARTTLS", "AUTH", "ETRN", "LHLO", "XCLIENT", "XFORWARD", NULL
};

/* The codes help/id/codes.txt translates (description, when, fix). */
static const char *const id_codes[] = {
	"220", "221", "250", "354", "421", "450", "451", "452", "500", "501", "502", "503",
	"530", "535", "550", "552", "553", "554", NULL
};

/* The enhanced status entries help/id/enhanced.txt translates (description, when, fix). */
static const char *const id_enhanced[] = {
	"X.1.1", "X.2.2", "4.2.2", "5.2.2", "X.3.4", "X.4.1", "4.4.1", "X.4.7", "4.4.7", "5.4.7",
	"X.7.0", "4.7.0", "5.7.0", "X.7.1", "4.7.1", "5.7.1", "X.7.8", "5.7.8", NULL
};

static const char *
top_srcdir(void)
{
	const char *s = getenv("top_srcdir");

	return s != NULL ? s : ABS_TOP_SRCDIR;
}

static struct kb *
load(const char *lang)
{
	char *dir = xasprintf("%s/help", top_srcdir()), *err = NULL;
	struct kb *kb = kb_load(dir, lang, &err);

	if (kb == NULL)
		fail_msg("%s", err);
	free(dir);
	return kb;
}

/* Counts and prints what is missing. */
static int
need(const struct kb *kb, const char *kind, const char *key, const char *const *fields)
{
	const struct kb_entry *e = kb_find_exact(kb, kind, key, NULL);
	int missing = 0;
	size_t i;

	if (e == NULL) {
		printf("missing: @%s %s\n", kind, key);
		return 1;
	}
	for (i = 0; fields[i] != NULL; i++) {
		const char *v = kb_field_in(kb, e, fields[i], "en");

		if (v == NULL || *v == '\0') {
			printf("missing: @%s %s: %s\n", kind, key, fields[i]);
			missing++;
		}
	}
	return missing;
}

/* The first column of a TSV file, skipping comments and its header line. */
static char **
tsv_keys(const char *name, size_t *count)
{
	char *path = xasprintf("%s/tests/data/%s", top_srcdir(), name);
	FILE *f = fopen(path, "r");
	char line[512], **keys = NULL;
	bool header = true;

	*count = 0;
	if (f == NULL)
		fail_msg("cannot open %s", path);
	while (fgets(line, sizeof line, f) != NULL) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\t\n")] = '\0';
		if (header) {
			header = false;
			continue;
		}
		keys = xreallocarray(keys, *count + 1, sizeof *keys);
		keys[(*count)++] = xstrdup(line);
	}
	fclose(f);
	free(path);
	return keys;
}

static void
free_keys(char **keys, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
}

static void
test_help_loads_without_diagnostics(void **state)
{
	struct kb *kb = load("id");
	size_t i;

	(void)state;
	for (i = 0; i < kb_diagnostic_count(kb); i++)
		printf("diagnostic: %s\n", kb_diagnostic(kb, i));
	assert_string_equal(kb_language(kb), "id");
	assert_int_equal(kb_diagnostic_count(kb), 0);
	kb_free(kb);
}

static void
test_every_basic_code_is_explained(void **state)
{
	static const char *const fields[] = { "title", "description", "when", "fix", "learn",
		"phase", "drawn-by", NULL };
	static const char *const plain[] = { "title", "description", NULL };
	struct kb *kb = load(NULL);
	int missing = 0;
	size_t i;
	char key[8];

	(void)state;
	for (i = 0; basic_codes[i] != NULL; i++)
		missing += need(kb, "code", basic_codes[i], fields);
	for (i = 2; i <= 5; i++) {
		snprintf(key, sizeof key, "%zu", i);
		missing += need(kb, "class", key, plain);
	}
	for (i = 0; i <= 5; i++) {
		snprintf(key, sizeof key, "x%zuz", i);
		missing += need(kb, "category", key, plain);
	}
	kb_free(kb);
	assert_int_equal(missing, 0);
}

static void
test_every_registered_enhanced_code_is_explained(void **state)
{
	static const char *const fields[] = { "title", "description", "when", "fix", "learn",
		NULL };
	static const char *const plain[] = { "title", "description", NULL };
	static const char *const classes[] = { "2", "4", "5", NULL };
	struct kb *kb = load(NULL);
	size_t n, i;
	char **keys = tsv_keys("iana-enhanced-status-codes.tsv", &n), key[8];
	int missing = 0;

	(void)state;
	assert_true(n >= 80);
	for (i = 0; i < n; i++)
		missing += need(kb, "enhanced", keys[i], fields);
	for (i = 0; classes[i] != NULL; i++)
		missing += need(kb, "status-class", classes[i], plain);
	for (i = 0; i <= 7; i++) {
		snprintf(key, sizeof key, "X.%zu", i);
		missing += need(kb, "subject", key, plain);
	}
	free_keys(keys, n);
	kb_free(kb);
	assert_int_equal(missing, 0);
}

static void
test_every_command_is_explained(void **state)
{
	static const char *const fields[] = { "title", "description", "syntax", "example",
		"replies", "learn", NULL };
	struct kb *kb = load(NULL);
	int missing = 0;
	size_t i;

	(void)state;
	for (i = 0; commands[i] != NULL; i++)
		missing += need(kb, "command", commands[i], fields);
	kb_free(kb);
	assert_int_equal(missing, 0);
}

static void
test_every_ehlo_keyword_is_explained(void **state)
{
	static const char *const fields[] = { "title", "description", "learn", NULL };
	struct kb *kb = load(NULL);
	size_t n, i;
	char **keys = tsv_keys("smtp-service-extensions.tsv", &n);
	int missing = 0;

	(void)state;
	assert_true(n >= 30);
	for (i = 0; i < n; i++)
		missing += need(kb, "keyword", keys[i], fields);
	free_keys(keys, n);
	kb_free(kb);
	assert_int_equal(missing, 0);
}

static void
test_every_label_is_in_english_and_indonesian(void **state)
{
	struct kb *kb = load("id");
	int missing = 0;
	size_t i;

	(void)state;
	for (i = 0; explain_label_names[i] != NULL; i++) {
		const struct kb_entry *e = kb_find_exact(kb, "label", explain_label_names[i], NULL);

		if (e == NULL || kb_field_in(kb, e, "text", "en") == NULL) {
			printf("missing: English @label %s\n", explain_label_names[i]);
			missing++;
		}
		if (e == NULL || kb_field_in(kb, e, "text", "id") == NULL) {
			printf("missing: Indonesian @label %s\n", explain_label_names[i]);
			missing++;
		}
	}
	kb_free(kb);
	assert_int_equal(missing, 0);
}

static void
check_label_translated(void *ctx, const struct kb_entry *e)
{
	const struct kb *kb = ((void **)ctx)[0];
	int *missing = ((void **)ctx)[1];

	if (kb_field_in(kb, e, "text", "en") != NULL && kb_field_in(kb, e, "text", "id") == NULL) {
		printf("missing: Indonesian @label %s\n", kb_entry_key(e));
		(*missing)++;
	}
}

static void
test_every_english_label_has_its_translation(void **state)
{
	struct kb *kb = load("id");
	int missing = 0;
	void *ctx[2] = { kb, &missing };

	(void)state;
	kb_each(kb, "label", check_label_translated, ctx);
	kb_free(kb);
	assert_int_equal(missing, 0);
}

static int need_id(const struct kb *kb, const char *kind, const char *key,
    const char *const *fields);

static void
test_indonesian_basic_codes_are_translated(void **state)
{
	static const char *const fields[] = { "description", "when", "fix", NULL };
	static const char *const plain[] = { "title", "description", NULL };
	struct kb *kb = load("id");
	int missing = 0;
	size_t i, f;
	char key[8];

	(void)state;
	for (i = 0; id_codes[i] != NULL; i++) {
		const struct kb_entry *e = kb_find_exact(kb, "code", id_codes[i], NULL);

		for (f = 0; fields[f] != NULL; f++) {
			if (e == NULL || kb_field_in(kb, e, fields[f], "id") == NULL) {
				printf("missing: Indonesian @code %s: %s\n", id_codes[i], fields[f]);
				missing++;
			}
		}
	}
	/* The classes and categories that explain any code by its digits. */
	for (i = 2; i <= 5; i++) {
		snprintf(key, sizeof key, "%zu", i);
		missing += need_id(kb, "class", key, plain);
	}
	for (i = 0; i <= 5; i++) {
		snprintf(key, sizeof key, "x%zuz", i);
		missing += need_id(kb, "category", key, plain);
	}
	kb_free(kb);
	assert_int_equal(missing, 0);
}

static int
need_id(const struct kb *kb, const char *kind, const char *key, const char *const *fields)
{
	const struct kb_entry *e = kb_find_exact(kb, kind, key, NULL);
	int missing = 0;
	size_t f;

	for (f = 0; fields[f] != NULL; f++) {
		if (e == NULL || kb_field_in(kb, e, fields[f], "id") == NULL) {
			printf("missing: Indonesian @%s %s: %s\n", kind, key, fields[f]);
			missing++;
		}
	}
	return missing;
}

static void
test_indonesian_common_enhanced_codes_are_translated(void **state)
{
	static const char *const fields[] = { "title", "description", "when", "fix", NULL };
	static const char *const plain[] = { "title", "description", NULL };
	static const char *const classes[] = { "2", "4", "5", NULL };
	struct kb *kb = load("id");
	int missing = 0;
	size_t i;
	char key[8];

	(void)state;
	for (i = 0; id_enhanced[i] != NULL; i++)
		missing += need_id(kb, "enhanced", id_enhanced[i], fields);
	for (i = 0; classes[i] != NULL; i++)
		missing += need_id(kb, "status-class", classes[i], plain);
	for (i = 0; i <= 7; i++) {
		snprintf(key, sizeof key, "X.%zu", i);
		missing += need_id(kb, "subject", key, plain);
	}
	kb_free(kb);
	assert_int_equal(missing, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help_loads_without_diagnostics),
		cmocka_unit_test(test_every_basic_code_is_explained),
		cmocka_unit_test(test_every_registered_enhanced_code_is_explained),
		cmocka_unit_test(test_every_command_is_explained),
		cmocka_unit_test(test_every_ehlo_keyword_is_explained),
		cmocka_unit_test(test_every_label_is_in_english_and_indonesian),
		cmocka_unit_test(test_every_english_label_has_its_translation),
		cmocka_unit_test(test_indonesian_basic_codes_are_translated),
		cmocka_unit_test(test_indonesian_common_enhanced_codes_are_translated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
