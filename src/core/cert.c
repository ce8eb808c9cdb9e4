/*
 * OpenSSH certificate blobs (PROTOCOL.certkeys), parsed into views of the
 * caller's bytes. Every length is checked against what is left, every
 * packed list is walked once here so later walks cannot fail half-way,
 * and trailing bytes are refused.
 */
#include <string.h>

#include "nanossh_cert.h"
#include "buf.h"

/* Certificate types and the key fields after the nonce
 * (PROTOCOL.certkeys "Certificate formats"). */
typedef struct cert_kind {
    const char *name, *plain;
    int fields;   /* 1: string pk (ed25519); 2: string curve, string Q;
                     3: mpint e, mpint n; 4: string pk of ML-DSA-44 and
                     Ed25519 (1312 + 32 bytes); 5 and 6: 1 and 2 followed
                     by string application (security keys, PROTOCOL.u2f) */
    const char *curve;
} cert_kind;

static const cert_kind kinds[] = {
    { "ssh-ed25519-cert-v01@openssh.com", "ssh-ed25519", 1, NULL },
    { "ecdsa-sha2-nistp256-cert-v01@openssh.com", "ecdsa-sha2-nistp256", 2, "nistp256" },
    { "ecdsa-sha2-nistp384-cert-v01@openssh.com", "ecdsa-sha2-nistp384", 2, "nistp384" },
    { "ecdsa-sha2-nistp521-cert-v01@openssh.com", "ecdsa-sha2-nistp521", 2, "nistp521" },
    { "ssh-rsa-cert-v01@openssh.com", "ssh-rsa", 3, NULL },
    { "ssh-mldsa44-ed25519-cert-v01@openssh.com",
      "ssh-mldsa44-ed25519@openssh.com", 4, NULL },
    { "sk-ssh-ed25519-cert-v01@openssh.com", "sk-ssh-ed25519@openssh.com", 5, NULL },
    { "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
      "sk-ecdsa-sha2-nistp256@openssh.com", 6, "nistp256" },
};

#define SUFFIX "-cert-v01@openssh.com"

int nssh_cert_is_cert_name(const char *name)
{
    size_t n = name ? strlen(name) : 0, s = sizeof(SUFFIX) - 1;
    return n > s && memcmp(name + n - s, SUFFIX, s) == 0;
}

static int key_fields(rd *r, const cert_kind *k)
{
    const uint8_t *p;
    size_t n;
    nssh_str curve;

    if (k->fields >= 5) {
        cert_kind inner = *k;
        inner.fields = k->fields - 4;
        if (key_fields(r, &inner) < 0 || rd_string(r, &p, &n) < 0)
            return NSSH_ERR_FORMAT;
        return 0;
    }
    switch (k->fields) {
    case 1:
        return rd_string(r, &p, &n) < 0 || n != 32 ? NSSH_ERR_FORMAT : 0;
    case 4:
        return rd_string(r, &p, &n) < 0 || n != 1312 + 32 ? NSSH_ERR_FORMAT : 0;
    case 2:
        if (rd_str(r, &curve) < 0 || !str_is(curve, k->curve))
            return NSSH_ERR_FORMAT;
        return rd_string(r, &p, &n) < 0 || n == 0 ? NSSH_ERR_FORMAT : 0;
    default:
        if (rd_mpint(r, &p, &n) < 0 || n == 0)
            return NSSH_ERR_FORMAT;
        return rd_mpint(r, &p, &n) < 0 || n == 0 ? NSSH_ERR_FORMAT : 0;
    }
}

int nssh_cert_next(nssh_str list, size_t *pos, nssh_str *name, nssh_str *value)
{
    rd r, d;
    nssh_str data;

    if (*pos > list.n)
        return NSSH_ERR_FORMAT;
    if (*pos == list.n)
        return 0;
    rd_init(&r, (const uint8_t *)list.p, list.n);
    r.pos = *pos;
    if (rd_str(&r, name) < 0)
        return NSSH_ERR_FORMAT;
    if (value) {
        if (rd_str(&r, &data) < 0)
            return NSSH_ERR_FORMAT;
        /* The data field is empty or holds one string (the value). */
        *value = data;
        if (data.n) {
            rd_init(&d, (const uint8_t *)data.p, data.n);
            if (rd_str(&d, value) < 0 || rd_end(&d) < 0)
                return NSSH_ERR_FORMAT;
        }
    }
    *pos = r.pos;
    return 1;
}

/* Walk a list once: it must parse, and option lists must be in strictly
 * increasing name order (PROTOCOL.certkeys: "lexically ordered", no
 * repeats). Names must not hold NUL, as they are later C strings. */
static int check_list(nssh_str list, int options)
{
    size_t pos = 0;
    nssh_str name, value, prev = { NULL, 0 };
    int e;

    while ((e = nssh_cert_next(list, &pos, &name, options ? &value : NULL)) == 1) {
        if (memchr(name.p, 0, name.n))
            return NSSH_ERR_FORMAT;
        if (options && prev.p) {
            size_t m = prev.n < name.n ? prev.n : name.n;
            int c = memcmp(prev.p, name.p, m);
            if (c > 0 || (c == 0 && prev.n >= name.n))
                return NSSH_ERR_FORMAT;
        }
        prev = name;
    }
    return e;
}

static int get_list(rd *r, nssh_str *s, int options)
{
    if (rd_str(r, s) < 0)
        return NSSH_ERR_FORMAT;
    return check_list(*s, options);
}

int nssh_cert_parse(const uint8_t *blob, size_t len, nssh_cert *c)
{
    const cert_kind *k = NULL;
    const uint8_t *p;
    size_t i, key_start, n;
    nssh_str reserved, ca_type;
    rd r, ca;

    memset(c, 0, sizeof(*c));
    if (!blob || len > NSSH_CERT_MAX)
        return NSSH_ERR_FORMAT;
    rd_init(&r, blob, len);
    if (rd_str(&r, &c->type) < 0)
        return NSSH_ERR_FORMAT;
    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && !k; i++)
        if (str_is(c->type, kinds[i].name))
            k = &kinds[i];
    if (!k)
        return NSSH_ERR_UNSUPPORTED;
    c->plain_type = k->plain;
    if (rd_str(&r, &c->nonce) < 0)
        return NSSH_ERR_FORMAT;
    key_start = r.pos;
    if (key_fields(&r, k) < 0)
        return NSSH_ERR_FORMAT;
    c->key = blob + key_start;
    c->key_len = r.pos - key_start;
    if (rd_u64(&r, &c->serial) < 0 || rd_u32(&r, &c->cert_type) < 0 ||
        rd_str(&r, &c->key_id) < 0 ||
        get_list(&r, &c->principals, 0) < 0 ||
        rd_u64(&r, &c->valid_after) < 0 || rd_u64(&r, &c->valid_before) < 0 ||
        get_list(&r, &c->critical, 1) < 0 ||
        get_list(&r, &c->extensions, 1) < 0 ||
        rd_str(&r, &reserved) < 0)
        return NSSH_ERR_FORMAT;
    if (c->cert_type != NSSH_CERT_USER && c->cert_type != NSSH_CERT_HOST)
        return NSSH_ERR_FORMAT;
    if (memchr(c->key_id.p, 0, c->key_id.n))
        return NSSH_ERR_FORMAT;
    if (rd_string(&r, &c->ca_key, &c->ca_key_len) < 0)
        return NSSH_ERR_FORMAT;
    /* A CA key is a plain key (PROTOCOL.certkeys: chained certificates
     * are not supported). */
    rd_init(&ca, c->ca_key, c->ca_key_len);
    if (rd_str(&ca, &ca_type) < 0 || ca_type.n == 0)
        return NSSH_ERR_FORMAT;
    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (str_is(ca_type, kinds[i].name))
            return NSSH_ERR_FORMAT;
    c->signed_len = r.pos;
    if (rd_string(&r, &p, &n) < 0 || n == 0 || rd_end(&r) < 0)
        return NSSH_ERR_FORMAT;
    c->signature = p;
    c->signature_len = n;
    return 0;
}

int nssh_cert_plain_key(const nssh_cert *c, uint8_t *buf, size_t cap,
                        size_t *out_len)
{
    wr w;

    wr_init(&w, buf, cap);
    wr_cstring(&w, c->plain_type);
    wr_bytes(&w, c->key, c->key_len);
    if (w.err)
        return NSSH_ERR_NOSPACE;
    *out_len = w.len;
    return 0;
}
