/*
 * An ssh-agent client for host keys (sshd_config's HostKeyAgent): one
 * SSH_AGENTC_SIGN_REQUEST per signature over the agent's Unix socket
 * (draft-miller-ssh-agent section 3.6), made in the process that holds
 * the host keys (agent.c).
 */
#ifndef NSSH_POSIX_AGENT_H
#define NSSH_POSIX_AGENT_H

#include <stddef.h>
#include <stdint.h>

/* How long one signature may take (a slow or stuck agent). */
#define AGENT_TIMEOUT_MS 10000

/* Sign data with the key whose public blob is given, as algorithm alg
 * (rsa-sha2-256/512 set the request's flags), through the agent at
 * sock; the SSH signature blob goes to sig[0..sig_max). On failure
 * returns a negative error and puts the reason in why. */
int agent_sign(const char *sock, const uint8_t *blob, size_t blob_len,
               const char *alg, const uint8_t *data, size_t len,
               uint8_t *sig, size_t sig_max, size_t *sig_len,
               char *why, size_t why_cap);
/* Can the agent at sock be reached? 0, or a negative error with why. */
int agent_check(const char *sock, char *why, size_t why_cap);

#endif
