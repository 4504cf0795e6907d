/*
 * shed: the refusal of a new call while sipmed is overloaded, from the
 * datagram's bytes alone (overload.h says when).
 *
 * Refusing through the parsed message cost about a quarter of a whole
 * call (sofia-sip allocates and parses every header first); at twice the
 * rate sipmed can take, that left little for the calls it keeps. Here a
 * UDP datagram that is a new INVITE (no To tag) is looked at line by
 * line before sofia-sip makes a message of it: its Via, From, To, Call-ID
 * and CSeq lines are copied into a 503 with Retry-After, sent back on the
 * same socket to where the request came from (received, rport: never to
 * a name), and the datagram is dropped. The To tag of that 503 is
 * sipmed's own, so that the ACK it brings is dropped the same way.
 *
 * Anything this reader does not take plainly (a folded header line, a
 * header missing, a datagram not SIP) goes on to sofia-sip, where the
 * receive filter refuses it the slower way, or the parser refuses it.
 */
#ifndef SIPMED_SHED_H
#define SIPMED_SHED_H

#include <stdbool.h>
#include <stddef.h>

#include <sofia-sip/su.h>

/*
 * Whether the call a new INVITE opens may go on: its Call-ID and the user
 * part of its Request-URI (the number dialed: an emergency call always
 * goes on), NUL-terminated.
 */
typedef bool shed_admit_f(void *arg, const char *call_id, const char *ruri_user);

/*
 * Looks at datagram data (len bytes) from from on socket s. Returns true
 * when it was shed, and answered (an INVITE admit refused, answered 503
 * with Retry-After: retry_after), or dropped (the ACK of such a 503).
 */
bool shed_dgram(const char *data, size_t len, const su_sockaddr_t *from, socklen_t fromlen,
    su_socket_t s, unsigned retry_after, shed_admit_f *admit, void *arg);

#endif
