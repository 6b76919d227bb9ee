#!/usr/bin/env bash
# Makes the certificates the TLS tests use, in DIR, with the openssl command
# (never committed: made for each run):
#   ca.pem / ca.key       a test CA
#   other.pem / other.key another CA, which signed nothing here
#   hub.crt / hub.key     a server certificate for 127.0.0.1 signed by ca.pem
#                         (key mode 0600)
# Usage: tests/tools/make_test_certs.sh DIR. Exit 1, naming the step, on failure.
set -uo pipefail
dir=${1:?usage: make_test_certs.sh DIR}
ssl() { openssl "$@" >/dev/null 2>&1 || { echo "make_test_certs: openssl $1 failed" >&2; exit 1; }; }
ssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=hub test CA" -keyout "$dir/ca.key" -out "$dir/ca.pem"
ssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=other CA" -keyout "$dir/other.key" -out "$dir/other.pem"
ssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$dir/hub.key" -out "$dir/hub.csr"
printf 'subjectAltName = IP:127.0.0.1\nbasicConstraints = CA:FALSE\nextendedKeyUsage = serverAuth\n' >"$dir/ext"
ssl x509 -req -in "$dir/hub.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 2 -extfile "$dir/ext" -out "$dir/hub.crt"
chmod 600 "$dir/hub.key"
