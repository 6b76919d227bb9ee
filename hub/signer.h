/* The content signer: a process of its own that holds the Ed25519 secret
 * key of content bundles, so the hub's web process (which the console's
 * browsers talk to) never reads it. `hub signer --key FILE --socket PATH`
 * reads FILE (128 hex digits, as `kioskctl content keygen` writes it; mode
 * 0600 or refused), listens on the Unix socket PATH (mode 0660: give the
 * hub's user the signer's group) and signs one manifest per connection:
 *
 *   request:  4-byte big-endian length N (1..SIGNER_MAX), then N bytes of manifest
 *   answer:   "OK " 128 hex digits "\n"  or  "ERR " message "\n"
 *
 * It signs only a JSON object with "format": 1 and a whole "version", and
 * logs every signature (version, SHA-256 of the manifest) on stderr: a hub
 * taken over can still get manifests signed while it runs, but cannot carry
 * the key away, and every signature it got is on the signer's record.
 * Single-threaded; each client has SIGNER_TIMEOUT_S to send and read.
 * signer_sign is the hub's side: thread-safe (one connection per call). */
#ifndef HUB_SIGNER_H
#define HUB_SIGNER_H

#include <stddef.h>

#define SIGNER_MAX (1024 * 1024)
#define SIGNER_TIMEOUT_S 2

/* `hub signer ...` (ARGV[1] == "signer"): runs until SIGTERM/SIGINT. Exit
 * status 0 stopped, 1 cannot start (said on stderr), 2 usage. */
int signer_main(int argc, char **argv);

/* Asks the signer at SOCKET_PATH to sign MANIFEST (LEN bytes). 0 with the
 * 128 hex digits in SIG_HEX, or -1 with ERR (signer down, refused, slow). */
int signer_sign(const char *socket_path, const char *manifest, size_t len, char sig_hex[129],
                char *err, size_t errlen);

#endif
