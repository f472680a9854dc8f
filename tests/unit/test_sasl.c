/* test_sasl.c: base64 and the SASL payloads against known answers (RFC 4648, RFC 2195). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/proto/sasl.h"

static void
test_b64_encode_rfc4648_vectors(void **state)
{
	static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const coded[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
		"Zm9vYmFy" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof plain / sizeof plain[0]; i++) {
		char *out = sasl_b64_encode(plain[i], strlen(plain[i]));
		size_t len;
		unsigned char *back;

		assert_string_equal(out, coded[i]);
		back = sasl_b64_decode(out, &len);
		assert_non_null(back);
		assert_int_equal(len, strlen(plain[i]));
		assert_memory_equal(back, plain[i], len);
		free(back);
		free(out);
	}
}

static void
test_b64_decode_rejects_invalid_text(void **state)
{
	size_t len;

	(void)state;
	assert_null(sasl_b64_decode("abc", &len));       /* not a multiple of 4 */
	assert_null(sasl_b64_decode("ab!d", &len));      /* outside the alphabet */
	assert_null(sasl_b64_decode("a=bc", &len));      /* padding in the middle */
	assert_null(sasl_b64_decode("Username:", &len));
}

static void
test_b64_decode_334_challenge(void **state)
{
	size_t len;
	unsigned char *out;

	(void)state;
	out = sasl_b64_decode(" VXNlcm5hbWU6 ", &len);
	assert_non_null(out);
	assert_string_equal((char *)out, "Username:");
	assert_true(sasl_is_printable(out, len));
	free(out);
}

static void
test_plain_round_trip_keeps_nul_separated_parts(void **state)
{
	char *resp = sasl_plain_response(NULL, "alice", "s3cret");
	char *z, *u, *p;

	(void)state;
	assert_string_equal(resp, "AGFsaWNlAHMzY3JldA==");
	assert_int_equal(sasl_plain_parse(resp, &z, &u, &p), 0);
	assert_string_equal(z, "");
	assert_string_equal(u, "alice");
	assert_string_equal(p, "s3cret");
	free(z);
	free(u);
	free(p);
	free(resp);
	assert_int_equal(sasl_plain_parse("YWxpY2U=", &z, &u, &p), -1);  /* "alice": no NULs */
}

static void
test_cram_md5_matches_rfc2195_example(void **state)
{
	/* RFC 2195 section 2: user tim, secret tanstaaftanstaaf. */
	char *resp = sasl_cram_md5_response(
	    "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+", "tim", "tanstaaftanstaaf");

	(void)state;
	assert_non_null(resp);
	assert_string_equal(resp, "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw");
	free(resp);
	assert_null(sasl_cram_md5_response("not base64!", "tim", "x"));
}

static void
test_xoauth2_payload_layout(void **state)
{
	char *resp = sasl_xoauth2_response("a@b.c", "tok");
	size_t len;
	unsigned char *raw = sasl_b64_decode(resp, &len);

	(void)state;
	assert_non_null(raw);
	assert_memory_equal(raw, "user=a@b.c\001auth=Bearer tok\001\001", len);
	free(raw);
	free(resp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64_encode_rfc4648_vectors),
		cmocka_unit_test(test_b64_decode_rejects_invalid_text),
		cmocka_unit_test(test_b64_decode_334_challenge),
		cmocka_unit_test(test_plain_round_trip_keeps_nul_separated_parts),
		cmocka_unit_test(test_cram_md5_matches_rfc2195_example),
		cmocka_unit_test(test_xoauth2_payload_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
