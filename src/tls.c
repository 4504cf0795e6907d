#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "log.h"
#include "tls.h"

/* The key's passphrase, or none: OpenSSL must never prompt on a terminal. */
static int
passphrase_cb(char *buf, int size, int rwflag, void *u)
{
	const char *p = u;
	size_t n = p != NULL ? strlen(p) : 0;

	if (n == 0 || n >= (size_t)size)
		return 0;
	memcpy(buf, p, n);
	return (int)n;
}

/* The certificates in a PEM file, or NULL with errno set (0: none there). */
static STACK_OF(X509) *
read_certs(const char *path)
{
	STACK_OF(X509) *sk;
	BIO *b = BIO_new_file(path, "r");
	X509 *x;

	if (b == NULL) {
		if (errno == 0)
			errno = ENOENT;
		return NULL;
	}
	sk = sk_X509_new_null();
	while (sk != NULL && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL)
		if (sk_X509_push(sk, x) == 0)
			X509_free(x);
	ERR_clear_error();	/* the end of the file reads as an error */
	BIO_free(b);
	if (sk != NULL && sk_X509_num(sk) == 0) {
		sk_X509_free(sk);
		errno = 0;
		return NULL;
	}
	return sk;
}

static EVP_PKEY *
read_key(const char *path, const char *passphrase, int *unreadable)
{
	BIO *b = BIO_new_file(path, "r");
	EVP_PKEY *k;

	*unreadable = b == NULL;
	if (b == NULL)
		return NULL;
	k = PEM_read_bio_PrivateKey(b, NULL, passphrase_cb, (void *)passphrase);
	ERR_clear_error();
	BIO_free(b);
	return k;
}

static const char *
asn1_time(const ASN1_TIME *t, char *buf, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	int n = 0;

	buf[0] = '\0';
	if (b != NULL && ASN1_TIME_print(b, t) == 1)
		n = BIO_read(b, buf, (int)len - 1);
	buf[n > 0 ? n : 0] = '\0';
	BIO_free(b);
	return buf;
}

int
tls_check_files(const struct conf_tls *t, char *err, size_t errlen)
{
	STACK_OF(X509) *chain = NULL, *ca = NULL;
	EVP_PKEY *key = NULL;
	X509 *own;
	char when[64];
	int unreadable, rc = -1;

	errno = 0;
	if ((chain = read_certs(t->certificate)) == NULL) {
		snprintf(err, errlen, "tls: certificate %s: %s", t->certificate,
		    errno ? strerror(errno) : "no PEM certificate in it");
		goto out;
	}
	own = sk_X509_value(chain, 0);
	if (X509_cmp_current_time(X509_get0_notBefore(own)) > 0) {
		snprintf(err, errlen, "tls: certificate %s is not valid yet (not before %s)",
		    t->certificate, asn1_time(X509_get0_notBefore(own), when, sizeof(when)));
		goto out;
	}
	if (X509_cmp_current_time(X509_get0_notAfter(own)) < 0) {
		snprintf(err, errlen, "tls: certificate %s has expired (not after %s)",
		    t->certificate, asn1_time(X509_get0_notAfter(own), when, sizeof(when)));
		goto out;
	}
	if ((key = read_key(t->private_key, t->passphrase, &unreadable)) == NULL) {
		snprintf(err, errlen, "tls: private_key %s: %s", t->private_key,
		    unreadable ? strerror(errno) : t->passphrase ? "no PEM private key in it, "
		    "or the passphrase is wrong" : "no PEM private key in it (an encrypted "
		    "key needs \"passphrase\")");
		goto out;
	}
	if (X509_check_private_key(own, key) != 1) {
		ERR_clear_error();
		snprintf(err, errlen, "tls: private_key %s does not match certificate %s",
		    t->private_key, t->certificate);
		goto out;
	}
	errno = 0;
	if ((ca = read_certs(t->ca)) == NULL) {
		snprintf(err, errlen, "tls: ca %s: %s", t->ca,
		    errno ? strerror(errno) : "no PEM certificate in it");
		goto out;
	}
	rc = 0;
out:
	sk_X509_pop_free(chain, X509_free);
	sk_X509_pop_free(ca, X509_free);
	EVP_PKEY_free(key);
	return rc;
}

/* Appends the file at path to f. */
static int
append_file(FILE *f, const char *path)
{
	FILE *in = fopen(path, "r");
	char buf[4096];
	size_t n;

	if (in == NULL)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, f) != n)
			break;
	fclose(in);
	fputc('\n', f);
	return ferror(f) ? -1 : 0;
}

static FILE *
create_in(const char *dir, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return fopen(path, "w");
}

int
tls_sofia_dir(const struct conf_tls *t, char *dir, size_t dirlen)
{
	const char *tmp = getenv("TMPDIR");
	STACK_OF(X509) *chain = read_certs(t->certificate);
	FILE *agent = NULL, *cafile = NULL;
	int rc = -1;

	snprintf(dir, dirlen, "%s/sipmed-tls.XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
	if (chain == NULL || mkdtemp(dir) == NULL) {
		log_warn("tls: cannot prepare the certificate directory %s", dir);
		sk_X509_pop_free(chain, X509_free);
		return -1;
	}
	agent = create_in(dir, "agent.pem");
	cafile = create_in(dir, "cafile.pem");
	if (agent == NULL || cafile == NULL)
		goto out;
	/* agent.pem: the certificate, then the key (possibly encrypted) */
	if (PEM_write_X509(agent, sk_X509_value(chain, 0)) != 1 ||
	    append_file(agent, t->private_key) == -1)
		goto out;
	/* cafile.pem: the CAs, and the intermediates of sipmed's own chain */
	if (append_file(cafile, t->ca) == -1)
		goto out;
	for (int i = 1; i < sk_X509_num(chain); i++)
		if (PEM_write_X509(cafile, sk_X509_value(chain, i)) != 1)
			goto out;
	rc = 0;
out:
	if (agent != NULL && fclose(agent) != 0)
		rc = -1;
	if (cafile != NULL && fclose(cafile) != 0)
		rc = -1;
	sk_X509_pop_free(chain, X509_free);
	if (rc == -1) {
		log_warn("tls: cannot write the certificate directory %s", dir);
		tls_sofia_dir_remove(dir);
	}
	return rc;
}

void
tls_sofia_dir_remove(const char *dir)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/agent.pem", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/cafile.pem", dir);
	unlink(path);
	rmdir(dir);
}
