/*
 * Host key files: load them, or make and keep the default ones in the
 * state directory (hostkeys.c, generate.c).
 */
#ifndef NSSH_POSIX_HOSTKEYS_H
#define NSSH_POSIX_HOSTKEYS_H

#include <stddef.h>
#include <stdint.h>

#include "nanossh.h"
#include "nanossh_ossl.h"
#include "skprov.h"

#define HOSTKEYS_MAX 16

typedef struct hostkey_set {
    nssh_key *keys[HOSTKEYS_MAX];
    uint8_t *blobs[HOSTKEYS_MAX];
    size_t blob_lens[HOSTKEYS_MAX];
    size_t n_keys;
    nssh_hostkey entries[HOSTKEYS_MAX * 2];   /* one per signature algorithm */
    size_t n_entries;
    /* HostCertificate: certificate blobs and the key each certifies. */
    uint8_t *certs[HOSTKEYS_MAX];
    size_t cert_lens[HOSTKEYS_MAX];
    size_t cert_key[HOSTKEYS_MAX];   /* index into keys */
    size_t n_certs;
    /* SecurityKeyProvider: signs for the security-key host keys. */
    const char *sk_path;
    sk_provider *sk;
    int sk_tried;
    /* HostKeyAgent: the agent's socket, for keys given as public halves
     * (agent.h); NULL without one. */
    char *agent;
} hostkey_set;

/* Directory for generated host keys ($NANOSSH_STATE_DIR, /var/lib/nanossh
 * for root, else $XDG_STATE_HOME/nanossh or ~/.local/state/nanossh). */
int hostkeys_state_dir(char *out, size_t cap);
/* Load the n_files key files, or with none given the state directory's keys
 * (generated when missing and generate is set). */
int hostkeys_load(hostkey_set *hs, char *const *files, size_t n_files,
                  int generate);
/* The same, with the SecurityKeyProvider library (or NULL) that signs for
 * security-key host keys (such a key is skipped, logged, without one) and
 * HostKeyAgent's socket (NULL: none): a HostKey that is a public key
 * file, or whose private file is missing while path.pub exists, signs
 * through the agent (hostkey_agent.c), as with sshd. */
int hostkeys_load_ext(hostkey_set *hs, char *const *files, size_t n_files,
                      int generate, const char *sk_provider, const char *agent);
void hostkeys_free(hostkey_set *hs);
/* hostkey_agent.c: the public key in path (an OpenSSH public key line),
 * or in path.pub, with the agent at hs->agent as its signer. */
int hostkeys_load_agent_key(hostkey_set *hs, const char *path, nssh_key **out,
                            int try_pub);
/* hostcert.c: the blob of the first line's "type base64": 0, or -1. */
int hostkeys_public_line(const char *data, size_t len, uint8_t *blob,
                         size_t cap, size_t *blob_len);
/* hostcert.c: load the n_files HostCertificate files (OpenSSH public key
 * lines) and pair each with the loaded key it certifies. A file that
 * cannot be used is logged and skipped, as sshd does. */
void hostkeys_load_certs(hostkey_set *hs, char *const *files, size_t n_files);
/* generate.c: make the missing default host keys in dir. */
int hostkeys_generate(const char *dir);

#endif
