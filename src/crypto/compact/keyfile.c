/*
 * An Ed25519 private key from OpenSSH's private key file (PROTOCOL.key),
 * as ssh-keygen -t ed25519 writes it without a passphrase:
 *
 *   "-----BEGIN OPENSSH PRIVATE KEY-----", base64 lines, "-----END ..."
 *   "openssh-key-v1\0" string cipher ("none") string kdf ("none")
 *   string kdfoptions uint32 nkeys (1) string publickey-blob
 *   string private-section:
 *     uint32 check uint32 check string "ssh-ed25519" string pub(32)
 *     string seed||pub(64) string comment, padding 1 2 3 ...
 *
 * Base64 is decoded with arithmetic instead of a table, since the text
 * holds the secret key.
 */
#include <string.h>

#include "compact.h"

#define BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define END "-----END OPENSSH PRIVATE KEY-----"
#define MAGIC "openssh-key-v1"
#define MAX_DECODED 1024u

/* Value of a base64 character, or -1; no table, no branch on c. */
static int b64_value(unsigned c)
{
    /* each term is (value + 1) when c falls in its range, else 0 */
    int v = 0;
    int ch = (int)c;

    v += (((64 - ch) & (ch - 91)) >> 8) & (ch - 65 + 1);   /* A-Z */
    v += (((96 - ch) & (ch - 123)) >> 8) & (ch - 97 + 27); /* a-z */
    v += (((47 - ch) & (ch - 58)) >> 8) & (ch - 48 + 53);  /* 0-9 */
    v += (((42 - ch) & (ch - 44)) >> 8) & 63;              /* + */
    v += (((46 - ch) & (ch - 48)) >> 8) & 64;              /* / */
    return v - 1;
}

/* Decode base64 between the armour lines, skipping line breaks and
 * spaces; stops at '='. Returns the length or -1. */
static long b64_decode(const char *s, size_t len, uint8_t *out, size_t cap)
{
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t i, n = 0;

    for (i = 0; i < len; i++) {
        unsigned c = (unsigned char)s[i];
        int v;

        if (c == '\n' || c == '\r' || c == ' ' || c == '\t')
            continue;
        if (c == '=')
            break;
        if ((v = b64_value(c)) < 0)
            return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n == cap)
                return -1;
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    return (long)n;
}

static const char *find(const char *s, size_t len, const char *what)
{
    size_t n = strlen(what), i;

    for (i = 0; i + n <= len; i++)
        if (memcmp(s + i, what, n) == 0)
            return s + i;
    return NULL;
}

typedef struct cursor {
    const uint8_t *p;
    size_t len, pos;
} cursor;

static int get_u32(cursor *c, uint32_t *v)
{
    if (c->len - c->pos < 4)
        return -1;
    *v = load_be32(c->p + c->pos);
    c->pos += 4;
    return 0;
}

static int get_string(cursor *c, const uint8_t **s, size_t *n)
{
    uint32_t l;

    if (get_u32(c, &l) < 0 || l > c->len - c->pos)
        return -1;
    *s = c->p + c->pos;
    *n = l;
    c->pos += l;
    return 0;
}

static int is(const uint8_t *s, size_t n, const char *want)
{
    return n == strlen(want) && memcmp(s, want, n) == 0;
}

static int parse(nssh_compact_key *k, const uint8_t *d, size_t len)
{
    cursor c = { d, len, 0 }, p;
    const uint8_t *s, *pub, *priv, *cipher, *kdf;
    size_t n, pubn, privn, cn, kn;
    uint32_t nkeys, c1, c2;

    if (len < sizeof(MAGIC) || memcmp(d, MAGIC, sizeof(MAGIC)) != 0)
        return NSSH_ERR_KEY;
    c.pos = sizeof(MAGIC);   /* with its NUL */
    if (get_string(&c, &cipher, &cn) < 0 || get_string(&c, &kdf, &kn) < 0 ||
        get_string(&c, &s, &n) < 0 || get_u32(&c, &nkeys) < 0)
        return NSSH_ERR_KEY;
    if (!is(cipher, cn, "none") || !is(kdf, kn, "none"))
        return NSSH_ERR_UNSUPPORTED;   /* protected by a passphrase */
    if (nkeys != 1 || get_string(&c, &s, &n) < 0 ||
        get_string(&c, &s, &n) < 0 || c.pos != c.len)
        return NSSH_ERR_KEY;
    p.p = s;
    p.len = n;
    p.pos = 0;
    if (get_u32(&p, &c1) < 0 || get_u32(&p, &c2) < 0 || c1 != c2 ||
        get_string(&p, &s, &n) < 0)
        return NSSH_ERR_KEY;
    if (!is(s, n, "ssh-ed25519"))
        return NSSH_ERR_UNSUPPORTED;
    if (get_string(&p, &pub, &pubn) < 0 || pubn != 32 ||
        get_string(&p, &priv, &privn) < 0 || privn != 64 ||
        memcmp(priv + 32, pub, 32) != 0)
        return NSSH_ERR_KEY;
    return nssh_compact_key_from_openssh(k, priv);
}

int nssh_compact_key_load_openssh(nssh_compact_key *k, const char *text,
                                  size_t len)
{
    uint8_t buf[MAX_DECODED];
    const char *b, *e;
    long n;
    int rc;

    memset(k, 0, sizeof(*k));
    if ((b = find(text, len, BEGIN)) == NULL)
        return NSSH_ERR_KEY;
    b += strlen(BEGIN);
    if ((e = find(b, len - (size_t)(b - text), END)) == NULL)
        return NSSH_ERR_KEY;
    n = b64_decode(b, (size_t)(e - b), buf, sizeof(buf));
    rc = n < 0 ? NSSH_ERR_KEY : parse(k, buf, (size_t)n);
    compact_wipe(buf, sizeof(buf));
    if (rc < 0)
        nssh_compact_key_clear(k);
    return rc;
}
