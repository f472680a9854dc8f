/* tls.c: OpenSSL for the client side (the only client file that includes openssl/ssl.h):
 * non-blocking handshake, SNI, host-name checking, verification in plain words, /tls details. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "core/conn/net.h"
#include "core/conn/tls.h"
#include "core/util/xmalloc.h"

struct tls {
	SSL_CTX *ctx;
	SSL *ssl;
	bool done;
	char *host;
};

/* The queued OpenSSL error in words, or the fallback when the queue is empty. */
static char *
openssl_error(const char *what, const char *fallback)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	ERR_clear_error();
	if (e == 0)
		return xasprintf("%s: %s", what, fallback);
	ERR_error_string_n(e, buf, sizeof buf);
	/* Keep the reason, the last part of "error:0A000086:SSL routines::certificate ...". */
	{
		const char *reason = strrchr(buf, ':');

		if (reason != NULL && reason[1] != '\0')
			return xasprintf("%s: %s", what, reason + 1);
	}
	return xasprintf("%s: %s", what, buf);
}

/* "5ad8a5d6.0": the name c_rehash / update-ca-certificates give a CA certificate, its subject
 * hash and a sequence number. */
static bool
is_hash_name(const char *name)
{
	size_t i;

	for (i = 0; i < 8; i++)
		if (name[i] == '\0' || strchr("0123456789abcdef", name[i]) == NULL)
			return false;
	if (name[8] != '.' || name[9] < '0' || name[9] > '9')
		return false;
	for (i = 10; name[i] != '\0'; i++)
		if (name[i] < '0' || name[i] > '9')
			return false;
	return true;
}

/* True when dir holds at least one certificate under its hash name. */
static bool
dir_has_hashed_certs(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool found = false;

	if (d == NULL)
		return false;
	while (!found && (de = readdir(d)) != NULL)
		found = is_hash_name(de->d_name);
	closedir(d);
	return found;
}

/* Where the system CA store is: SSL_CERT_FILE / SSL_CERT_DIR when set, else OpenSSL's
 * built-in paths. */
static const char *
store_location(const char *(*env_name)(void), const char *(*builtin)(void))
{
	const char *value = getenv(env_name());

	return value != NULL && *value != '\0' ? value : builtin();
}

/* The system CA store. OpenSSL's default paths parse the whole bundle file up front: some 140
 * certificates, about 230 million instructions (15 ms), more than all the rest of a session.
 * When the bundle was generated inside the hashed directory (Debian's update-ca-certificates
 * writes ca-certificates.crt beside the hash links it makes, from the same certificates), the
 * directory alone says the same and is read lazily, one file per issuer the verification asks
 * for. Anywhere else, the default paths as OpenSSL has them. */
static int
load_system_store(SSL_CTX *ctx)
{
	const char *file = store_location(X509_get_default_cert_file_env,
	    X509_get_default_cert_file);
	const char *dir = store_location(X509_get_default_cert_dir_env,
	    X509_get_default_cert_dir);
	char *real_file = realpath(file, NULL), *real_dir = realpath(dir, NULL), *slash;
	bool lazy = false;

	if (real_file != NULL && real_dir != NULL && strchr(dir, ':') == NULL &&
	    (slash = strrchr(real_file, '/')) != NULL) {
		*slash = '\0';
		lazy = strcmp(real_file, real_dir) == 0 && dir_has_hashed_certs(real_dir);
	}
	free(real_file);
	free(real_dir);
	if (lazy)
		return SSL_CTX_load_verify_dir(ctx, dir);
	return SSL_CTX_set_default_verify_paths(ctx);
}

struct tls *
tls_new(int fd, const char *host, const char *cafile, char **errstr)
{
	struct tls *tls = xcalloc(1, sizeof *tls);

	tls->ctx = SSL_CTX_new(TLS_client_method());
	if (tls->ctx == NULL) {
		*errstr = openssl_error("cannot set up TLS", "out of memory");
		goto fail;
	}
	SSL_CTX_set_min_proto_version(tls->ctx, TLS1_2_VERSION);
	/* A write that wanted the socket is retried from the engine's output buffer, which may
	 * have grown (and moved) in between as message text was topped up. */
	SSL_CTX_set_mode(tls->ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (cafile != NULL) {
		if (SSL_CTX_load_verify_locations(tls->ctx, cafile, NULL) != 1) {
			*errstr = openssl_error("cannot read the CA file", cafile);
			goto fail;
		}
	} else if (load_system_store(tls->ctx) != 1) {
		*errstr = openssl_error("cannot load the system CA store", "unknown reason");
		goto fail;
	}
	/* Verify always, but never abort the handshake: the engine decides what a failure means
	 * (stop, or --insecure and keep saying so), and explains it. */
	SSL_CTX_set_verify(tls->ctx, SSL_VERIFY_NONE, NULL);
	tls->ssl = SSL_new(tls->ctx);
	if (tls->ssl == NULL || SSL_set_fd(tls->ssl, fd) != 1) {
		*errstr = openssl_error("cannot set up TLS", "out of memory");
		goto fail;
	}
	tls->host = xstrdup(host);
	if (net_is_address(host)) {
		/* RFC 6066: no SNI for address literals; check the address against the SANs. */
		X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(tls->ssl), host);
	} else {
		SSL_set_tlsext_host_name(tls->ssl, host);
		SSL_set1_host(tls->ssl, host);
	}
	SSL_set_connect_state(tls->ssl);
	return tls;
fail:
	tls_free(tls);
	return NULL;
}

void
tls_free(struct tls *tls)
{
	if (tls == NULL)
		return;
	SSL_free(tls->ssl);
	SSL_CTX_free(tls->ctx);
	free(tls->host);
	free(tls);
}

/* Maps an SSL_get_error result to our enum. */
static enum tls_io
io_result(struct tls *tls, int rc, const char *what, char **errstr)
{
	int err = SSL_get_error(tls->ssl, rc);

	switch (err) {
	case SSL_ERROR_WANT_READ:
		return TLS_IO_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return TLS_IO_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		return TLS_IO_CLOSED;
	case SSL_ERROR_SYSCALL:
		if (ERR_peek_error() == 0) {
			if (errno == 0 || rc == 0) {
				ERR_clear_error();
				if (!tls->done) {
					*errstr = xasprintf("%s: the server closed the connection "
					    "during the handshake", what);
					return TLS_IO_ERROR;
				}
				return TLS_IO_CLOSED;
			}
			*errstr = xasprintf("%s: %s", what, net_error_words(errno));
			return TLS_IO_ERROR;
		}
		/* fall through */
	default:
		if (!tls->done && ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
			ERR_clear_error();
			*errstr = xasprintf("%s: the server closed the connection during the handshake",
			    what);
			return TLS_IO_ERROR;
		}
		if (tls->done && ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
			ERR_clear_error();
			return TLS_IO_CLOSED;
		}
		*errstr = openssl_error(what, "protocol error");
		return TLS_IO_ERROR;
	}
}

enum tls_io
tls_handshake(struct tls *tls, char **errstr)
{
	int rc;

	ERR_clear_error();
	errno = 0;
	rc = SSL_connect(tls->ssl);
	if (rc == 1) {
		tls->done = true;
		return TLS_IO_OK;
	}
	return io_result(tls, rc, "TLS handshake failed", errstr);
}

enum tls_io
tls_read(struct tls *tls, void *buf, size_t cap, size_t *got, char **errstr)
{
	int rc;

	*got = 0;
	ERR_clear_error();
	errno = 0;
	rc = SSL_read_ex(tls->ssl, buf, cap, got);
	if (rc == 1)
		return TLS_IO_OK;
	return io_result(tls, rc, "TLS read failed", errstr);
}

enum tls_io
tls_write(struct tls *tls, const void *data, size_t len, size_t *written, char **errstr)
{
	int rc;

	*written = 0;
	ERR_clear_error();
	errno = 0;
	rc = SSL_write_ex(tls->ssl, data, len, written);
	if (rc == 1)
		return TLS_IO_OK;
	return io_result(tls, rc, "TLS write failed", errstr);
}

bool
tls_pending(const struct tls *tls)
{
	return SSL_pending(tls->ssl) > 0;
}

void
tls_shutdown(struct tls *tls)
{
	if (tls->done) {
		ERR_clear_error();
		SSL_shutdown(tls->ssl);
		ERR_clear_error();
	}
}

bool
tls_verified(const struct tls *tls)
{
	return tls->done && SSL_get_verify_result(tls->ssl) == X509_V_OK &&
	    SSL_get0_peer_certificate(tls->ssl) != NULL;
}

const char *
tls_verify_words(const struct tls *tls)
{
	if (SSL_get0_peer_certificate(tls->ssl) == NULL)
		return "the server sent no certificate";
	return X509_verify_cert_error_string(SSL_get_verify_result(tls->ssl));
}

const char *
tls_verify_event(const struct tls *tls)
{
	if (tls_verified(tls))
		return NULL;
	switch (SSL_get_verify_result(tls->ssl)) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return "tls-verify-expired";
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return "tls-verify-not-yet-valid";
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		return "tls-verify-self-signed";
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		return "tls-verify-name-mismatch";
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		return "tls-verify-unknown-issuer";
	default:
		return "tls-verify-failed";
	}
}

const char *
tls_version(const struct tls *tls)
{
	return SSL_get_version(tls->ssl);
}

const char *
tls_cipher(const struct tls *tls)
{
	return SSL_get_cipher_name(tls->ssl);
}

/* The memory BIO's contents as a new string. */
static char *
bio_take(BIO *bio)
{
	char *data;
	long len = BIO_get_mem_data(bio, &data);

	return xstrndup(data, len > 0 ? (size_t)len : 0);
}

static void
describe_name(BIO *out, const char *label, const X509_NAME *name)
{
	BIO_printf(out, "%s", label);
	X509_NAME_print_ex(out, name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
	BIO_printf(out, "\n");
}

static void
describe_sans(BIO *out, X509 *cert)
{
	GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	int i, n;

	BIO_printf(out, "  names (SAN):");
	if (names == NULL) {
		BIO_printf(out, " none (old-style certificate: only the subject's CN)\n");
		return;
	}
	n = sk_GENERAL_NAME_num(names);
	for (i = 0; i < n; i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);

		if (gn->type == GEN_DNS)
			BIO_printf(out, " DNS:%.*s", ASN1_STRING_length(gn->d.dNSName),
			    (const char *)ASN1_STRING_get0_data(gn->d.dNSName));
		else if (gn->type == GEN_IPADD) {
			const unsigned char *ip = ASN1_STRING_get0_data(gn->d.iPAddress);
			int len = ASN1_STRING_length(gn->d.iPAddress), j;

			if (len == 4)
				BIO_printf(out, " IP:%d.%d.%d.%d", ip[0], ip[1], ip[2], ip[3]);
			else {
				BIO_printf(out, " IP:");
				for (j = 0; j + 1 < len; j += 2)
					BIO_printf(out, "%s%x", j ? ":" : "", (ip[j] << 8) | ip[j + 1]);
			}
		} else if (gn->type == GEN_EMAIL)
			BIO_printf(out, " email:%.*s", ASN1_STRING_length(gn->d.rfc822Name),
			    (const char *)ASN1_STRING_get0_data(gn->d.rfc822Name));
	}
	BIO_printf(out, "\n");
	GENERAL_NAMES_free(names);
}

static void
describe_cert(BIO *out, X509 *cert, bool leaf)
{
	describe_name(out, "  subject: ", X509_get_subject_name(cert));
	if (leaf)
		describe_sans(out, cert);
	describe_name(out, "  issuer:  ", X509_get_issuer_name(cert));
	BIO_printf(out, "  valid:   from ");
	ASN1_TIME_print(out, X509_get0_notBefore(cert));
	BIO_printf(out, " until ");
	ASN1_TIME_print(out, X509_get0_notAfter(cert));
	if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0)
		BIO_printf(out, " (EXPIRED)");
	else if (X509_cmp_current_time(X509_get0_notBefore(cert)) > 0)
		BIO_printf(out, " (NOT YET VALID)");
	BIO_printf(out, "\n");
}

char *
tls_describe(const struct tls *tls)
{
	BIO *out = BIO_new(BIO_s_mem());
	X509 *leaf = SSL_get0_peer_certificate(tls->ssl);
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(tls->ssl);
	char *text;
	int i, n;

	if (out == NULL)
		return xstrdup("(out of memory)");
	BIO_printf(out, "protocol: %s, cipher: %s\n", tls_version(tls), tls_cipher(tls));
	if (tls_verified(tls))
		BIO_printf(out, "verification: OK (chain trusted, name %s matches)\n", tls->host);
	else
		BIO_printf(out, "verification: FAILED: %s - the peer is NOT verified\n",
		    tls_verify_words(tls));
	if (leaf == NULL) {
		BIO_printf(out, "certificate: none sent\n");
	} else {
		BIO_printf(out, "certificate:\n");
		describe_cert(out, leaf, true);
	}
	n = chain != NULL ? sk_X509_num(chain) : 0;
	/* On the client side the chain the peer sent starts with its own certificate. */
	for (i = 1; i < n; i++) {
		BIO_printf(out, "chain [%d]:\n", i);
		describe_cert(out, sk_X509_value(chain, i), false);
	}
	if (n <= 1 && leaf != NULL)
		BIO_printf(out, "chain: the server sent no intermediate certificates\n");
	text = bio_take(out);
	BIO_free(out);
	return text;
}
