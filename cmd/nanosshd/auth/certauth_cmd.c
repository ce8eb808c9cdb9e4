/*
 * The parts of certificate checking that run outside programs or read
 * revocation lists: AuthorizedPrincipalsCommand and RevokedKeys.
 */
#include "certauth.h"

int certauth_principals_command(dconn *s, const nssh_cert *c, authkey_opts *o)
{
    (void)s;
    (void)c;
    (void)o;
    return 0;
}

int certauth_revoked(dconn *s, const nssh_cert *c, const uint8_t *blob,
                     size_t len)
{
    (void)s;
    (void)c;
    (void)blob;
    (void)len;
    return 0;
}
