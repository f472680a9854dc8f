/* sasl.c: SASL payloads and base64 through OpenSSL's EVP functions (no hand-written codecs). */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/proto/sasl.h"
#include "core/util/xmalloc.h"

char *
sasl_b64_encode(const void *data, size_t len)
{
	/* EVP_EncodeBlock writes 4 bytes per 3 (rounded up) plus a NUL. */
	char *out = xmalloc(4 * ((len + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

static int
is_b64_char(int c)
{
	return isalnum(c) || c == '+' || c == '/';
}

unsigned char *
sasl_b64_decode(const char *text, size_t *out_len)
{
	size_t start = 0, end = strlen(text), len, i, pad = 0;
	unsigned char *out;
	int n;

	while (start < end && isspace((unsigned char)text[start]))
		start++;
	while (end > start && isspace((unsigned char)text[end - 1]))
		end--;
	len = end - start;
	if (len % 4 != 0 || len > (size_t)(1 << 30))
		return NULL;
	/* EVP_DecodeBlock accepts some things RFC 4648 does not; check the alphabet first. */
	for (i = 0; i < len; i++) {
		int c = (unsigned char)text[start + i];

		if (c == '=') {
			if (i < len - 2)
				return NULL;
			pad++;
		} else if (!is_b64_char(c) || pad > 0)
			return NULL;
	}
	out = xmalloc(len / 4 * 3 + 1);
	if (len == 0) {
		*out_len = 0;
		out[0] = '\0';
		return out;
	}
	n = EVP_DecodeBlock(out, (const unsigned char *)text + start, (int)len);
	if (n < 0 || (size_t)n < pad) {
		free(out);
		return NULL;
	}
	/* EVP_DecodeBlock counts the zero bytes that padding stands for; drop them. */
	*out_len = (size_t)n - pad;
	out[*out_len] = '\0';
	return out;
}

int
sasl_is_printable(const unsigned char *data, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (data[i] < 0x20 || data[i] > 0x7e)
			return 0;
	return 1;
}

char *
sasl_plain_response(const char *authzid, const char *user, const char *pass)
{
	size_t zlen = authzid ? strlen(authzid) : 0, ulen = strlen(user), plen = strlen(pass);
	size_t len = zlen + 1 + ulen + 1 + plen;
	unsigned char *buf = xmalloc(len);
	char *out;

	memcpy(buf, authzid ? authzid : "", zlen);
	buf[zlen] = '\0';
	memcpy(buf + zlen + 1, user, ulen);
	buf[zlen + 1 + ulen] = '\0';
	memcpy(buf + zlen + 2 + ulen, pass, plen);
	out = sasl_b64_encode(buf, len);
	OPENSSL_cleanse(buf, len);
	free(buf);
	return out;
}

int
sasl_plain_parse(const char *b64, char **authzid, char **user, char **pass)
{
	size_t len, first, second;
	unsigned char *raw = sasl_b64_decode(b64, &len);
	unsigned char *nul;

	if (raw == NULL)
		return -1;
	nul = memchr(raw, '\0', len);
	if (nul == NULL)
		goto bad;
	first = (size_t)(nul - raw);
	nul = memchr(raw + first + 1, '\0', len - first - 1);
	if (nul == NULL)
		goto bad;
	second = (size_t)(nul - raw);
	if (memchr(raw + second + 1, '\0', len - second - 1) != NULL)
		goto bad;
	*authzid = xstrndup((char *)raw, first);
	*user = xstrndup((char *)raw + first + 1, second - first - 1);
	*pass = xstrndup((char *)raw + second + 1, len - second - 1);
	OPENSSL_cleanse(raw, len);
	free(raw);
	return 0;
bad:
	OPENSSL_cleanse(raw, len);
	free(raw);
	return -1;
}

char *
sasl_cram_md5_digest(const char *challenge, const char *pass)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	size_t mac_len = 0, i;
	char *hex;

	if (EVP_Q_mac(NULL, "HMAC", NULL, "MD5", NULL, pass, strlen(pass),
	    (const unsigned char *)challenge, strlen(challenge), mac, sizeof mac, &mac_len) == NULL)
		return NULL;
	hex = xmalloc(mac_len * 2 + 1);
	for (i = 0; i < mac_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	return hex;
}

char *
sasl_cram_md5_response(const char *challenge_b64, const char *user, const char *pass)
{
	size_t len;
	unsigned char *challenge = sasl_b64_decode(challenge_b64, &len);
	char *digest, *plain, *out;

	if (challenge == NULL)
		return NULL;
	digest = sasl_cram_md5_digest((char *)challenge, pass);
	free(challenge);
	if (digest == NULL)
		return NULL;
	plain = xasprintf("%s %s", user, digest);
	out = sasl_b64_encode(plain, strlen(plain));
	free(digest);
	free(plain);
	return out;
}

char *
sasl_xoauth2_response(const char *user, const char *token)
{
	char *plain = xasprintf("user=%s\001auth=Bearer %s\001\001", user, token);
	char *out = sasl_b64_encode(plain, strlen(plain));

	OPENSSL_cleanse(plain, strlen(plain));
	free(plain);
	return out;
}
