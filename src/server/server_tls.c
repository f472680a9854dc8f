/* server_tls.c: OpenSSL for the practice server (the only server file that includes
 * openssl/ssl.h): the context, the in-memory self-signed certificate, and non-blocking
 * handshake, read and write on one connection. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/util/xmalloc.h"
#include "server/server_tls.h"

struct server_tls_ctx {
	SSL_CTX *ssl_ctx;
	char fingerprint[3 * EVP_MAX_MD_SIZE + 1];
	char subject[256];
};

struct server_tls {
	SSL *ssl;
	char description[128];
};

static char *
openssl_error(const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	if (e == 0)
		return xasprintf("%s failed", what);
	ERR_error_string_n(e, buf, sizeof buf);
	ERR_clear_error();
	return xasprintf("%s: %s", what, buf);
}

static int
add_ext(X509 *cert, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, cert, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (ext == NULL)
		return 0;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

/* A P-256 key and a certificate signed by itself, valid from a day ago for 30 days. */
static int
make_self_signed(SSL_CTX *ctx, const char *hostname, char **errstr)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *cert = NULL;
	X509_NAME *name;
	char *san = NULL;
	unsigned char serial[16];
	BIGNUM *bn = NULL;
	int ok = -1;

	if (key == NULL) {
		*errstr = openssl_error("generating a key");
		return -1;
	}
	if ((cert = X509_new()) == NULL || RAND_bytes(serial, sizeof serial) != 1)
		goto fail;
	serial[0] &= 0x7f;
	X509_set_version(cert, 2);
	if ((bn = BN_bin2bn(serial, sizeof serial, NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) == NULL)
		goto fail;
	X509_gmtime_adj(X509_getm_notBefore(cert), -24L * 3600);
	X509_gmtime_adj(X509_getm_notAfter(cert), 30L * 24 * 3600);
	X509_set_pubkey(cert, key);
	name = X509_get_subject_name(cert);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	    (const unsigned char *)"smtpscope practice server", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)hostname,
	    -1, -1, 0);
	X509_set_issuer_name(cert, name);
	san = xasprintf("DNS:%s,DNS:localhost,IP:127.0.0.1,IP:::1", hostname);
	if (!add_ext(cert, NID_subject_alt_name, san) ||
	    !add_ext(cert, NID_basic_constraints, "critical,CA:FALSE") ||
	    !add_ext(cert, NID_ext_key_usage, "serverAuth"))
		goto fail;
	if (X509_sign(cert, key, EVP_sha256()) == 0)
		goto fail;
	if (SSL_CTX_use_certificate(ctx, cert) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1)
		goto fail;
	ok = 0;
fail:
	if (ok != 0)
		*errstr = openssl_error("making the self-signed certificate");
	free(san);
	BN_free(bn);
	X509_free(cert);
	EVP_PKEY_free(key);
	return ok;
}

struct server_tls_ctx *
server_tls_ctx_new(const char *cert_file, const char *key_file, const char *hostname,
    char **errstr)
{
	struct server_tls_ctx *t = xcalloc(1, sizeof *t);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	X509 *cert;

	t->ssl_ctx = SSL_CTX_new(TLS_server_method());
	if (t->ssl_ctx == NULL) {
		*errstr = openssl_error("creating the TLS context");
		goto fail;
	}
	SSL_CTX_set_min_proto_version(t->ssl_ctx, TLS1_2_VERSION);
	/* Many clients just close the socket: treat that as the end, not as an attack. */
	SSL_CTX_set_options(t->ssl_ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	/* A write may move its buffer between calls; the poll loop retries with what is left. */
	SSL_CTX_set_mode(t->ssl_ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
	    SSL_MODE_ENABLE_PARTIAL_WRITE);
	if (cert_file != NULL) {
		if (SSL_CTX_use_certificate_chain_file(t->ssl_ctx, cert_file) != 1) {
			*errstr = openssl_error(cert_file);
			goto fail;
		}
		if (SSL_CTX_use_PrivateKey_file(t->ssl_ctx, key_file ? key_file : cert_file,
		    SSL_FILETYPE_PEM) != 1) {
			*errstr = openssl_error(key_file ? key_file : cert_file);
			goto fail;
		}
		if (SSL_CTX_check_private_key(t->ssl_ctx) != 1) {
			*errstr = openssl_error("the key does not match the certificate");
			goto fail;
		}
	} else if (make_self_signed(t->ssl_ctx, hostname, errstr) != 0) {
		goto fail;
	}
	cert = SSL_CTX_get0_certificate(t->ssl_ctx);
	if (cert != NULL && X509_digest(cert, EVP_sha256(), md, &mdlen) == 1) {
		for (i = 0; i < mdlen; i++)
			snprintf(t->fingerprint + 3 * i, 4, "%02X%s", md[i], i + 1 < mdlen ? ":" : "");
	}
	if (cert != NULL)
		X509_NAME_oneline(X509_get_subject_name(cert), t->subject, sizeof t->subject);
	return t;
fail:
	server_tls_ctx_free(t);
	return NULL;
}

void
server_tls_ctx_free(struct server_tls_ctx *ctx)
{
	if (ctx == NULL)
		return;
	SSL_CTX_free(ctx->ssl_ctx);
	free(ctx);
}

const char *
server_tls_ctx_fingerprint(const struct server_tls_ctx *ctx)
{
	return ctx->fingerprint;
}

const char *
server_tls_ctx_subject(const struct server_tls_ctx *ctx)
{
	return ctx->subject;
}

struct server_tls *
server_tls_new(struct server_tls_ctx *ctx, int fd)
{
	struct server_tls *t;
	SSL *ssl = SSL_new(ctx->ssl_ctx);

	if (ssl == NULL)
		return NULL;
	if (SSL_set_fd(ssl, fd) != 1) {
		SSL_free(ssl);
		return NULL;
	}
	SSL_set_accept_state(ssl);
	t = xcalloc(1, sizeof *t);
	t->ssl = ssl;
	return t;
}

void
server_tls_free(struct server_tls *tls)
{
	if (tls == NULL)
		return;
	SSL_free(tls->ssl);
	free(tls);
}

static int
want(SSL *ssl, int ret)
{
	switch (SSL_get_error(ssl, ret)) {
	case SSL_ERROR_WANT_READ:
		return SERVER_TLS_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return SERVER_TLS_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	default:
		return SERVER_TLS_ERROR;
	}
}

int
server_tls_handshake(struct server_tls *tls, char **errstr)
{
	int ret;

	ERR_clear_error();
	ret = SSL_accept(tls->ssl);
	if (ret == 1) {
		snprintf(tls->description, sizeof tls->description, "%s %s",
		    SSL_get_version(tls->ssl), SSL_get_cipher_name(tls->ssl));
		return 1;
	}
	ret = want(tls->ssl, ret);
	if (ret == SERVER_TLS_WANT_READ || ret == SERVER_TLS_WANT_WRITE)
		return ret;
	*errstr = openssl_error("TLS handshake");
	return SERVER_TLS_ERROR;
}

ssize_t
server_tls_read(struct server_tls *tls, void *buf, size_t len)
{
	size_t got = 0;

	ERR_clear_error();
	if (SSL_read_ex(tls->ssl, buf, len, &got) == 1)
		return (ssize_t)got;
	return want(tls->ssl, 0);
}

ssize_t
server_tls_write(struct server_tls *tls, const void *buf, size_t len)
{
	size_t done = 0;
	int ret;

	ERR_clear_error();
	if (SSL_write_ex(tls->ssl, buf, len, &done) == 1)
		return (ssize_t)done;
	ret = want(tls->ssl, 0);
	return ret == 0 ? SERVER_TLS_ERROR : ret;
}

int
server_tls_pending(const struct server_tls *tls)
{
	return SSL_pending(tls->ssl) > 0;
}

const char *
server_tls_description(struct server_tls *tls)
{
	return tls->description;
}

void
server_tls_shutdown(struct server_tls *tls)
{
	ERR_clear_error();
	(void)SSL_shutdown(tls->ssl);
	ERR_clear_error();
}
