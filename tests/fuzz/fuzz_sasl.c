/* fuzz_sasl.c: libFuzzer target for the SASL and base64 decoders. The input is cut at its first
 * two NUL bytes into a text (base64 to decode, a PLAIN response, a CRAM-MD5 challenge), a user
 * and a password; anything decoded must encode back to a form that decodes to the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/proto/sasl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 3), *text, *user, *pass;
	char *authzid = NULL, *puser = NULL, *ppass = NULL, *out;
	unsigned char *decoded, *again;
	size_t len, len2, n;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = buf[size + 2] = '\0';
	text = buf;
	n = strlen(text);
	user = text + n + (n < size ? 1 : 0);
	n = strlen(user);
	pass = user + n + ((size_t)(user + n - buf) < size ? 1 : 0);

	decoded = sasl_b64_decode(text, &len);
	if (decoded != NULL) {
		if (decoded[len] != '\0')
			abort();
		(void)sasl_is_printable(decoded, len);
		out = sasl_b64_encode(decoded, len);
		again = sasl_b64_decode(out, &len2);
		if (again == NULL || len2 != len || memcmp(again, decoded, len) != 0)
			abort();
		free(again);
		free(out);
		free(decoded);
	}

	if (sasl_plain_parse(text, &authzid, &puser, &ppass) == 0) {
		/* What was parsed must make the same response again. */
		out = sasl_plain_response(authzid, puser, ppass);
		free(authzid);
		free(puser);
		free(ppass);
		authzid = puser = ppass = NULL;
		if (sasl_plain_parse(out, &authzid, &puser, &ppass) != 0)
			abort();
		free(authzid);
		free(puser);
		free(ppass);
		free(out);
	}

	out = sasl_cram_md5_response(text, user, pass);
	if (out != NULL) {
		decoded = sasl_b64_decode(out, &len);
		if (decoded == NULL)
			abort();
		free(decoded);
		free(out);
	}
	out = sasl_cram_md5_digest(text, pass);
	if (out == NULL || strlen(out) != 32)
		abort();
	free(out);
	out = sasl_xoauth2_response(user, pass);
	free(out);
	free(buf);
	return 0;
}
