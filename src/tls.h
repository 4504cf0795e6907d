/*
 * tls: sipmed's certificate files, checked with OpenSSL before sofia-sip
 * sees them, and laid out the way sofia-sip's TLS transport reads them.
 *
 * Debian's sofia-sip opens 5061 even when its certificate files are
 * missing or wrong, and then fails every handshake; so sipmed checks the
 * files itself at start (and with sipmed -n): readable, a certificate and
 * a key that belong together, the certificate valid today, a CA file with
 * at least one certificate in it.
 *
 * sofia-sip reads one directory: agent.pem (the certificate, then the
 * key; only the first certificate is sent) and cafile.pem (trusted CAs,
 * from which OpenSSL also builds sipmed's own chain). tls_sofia_dir()
 * writes them into a fresh private directory from the configured files;
 * the transport reads them when it is created, and the directory is
 * removed right after.
 */
#ifndef SIPMED_TLS_H
#define SIPMED_TLS_H

#include <stddef.h>

#include "conf.h"

/*
 * Checks the tls group's files. Returns 0, or -1 with a message naming the
 * file and what is wrong with it in err.
 */
int tls_check_files(const struct conf_tls *, char *err, size_t errlen);

/* Writes sofia-sip's directory into dir (PATH_MAX). Returns 0 or -1 (logged). */
int tls_sofia_dir(const struct conf_tls *, char *dir, size_t dirlen);
void tls_sofia_dir_remove(const char *dir);

#endif
