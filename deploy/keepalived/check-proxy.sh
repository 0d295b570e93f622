#!/bin/sh
# keepalived track script: succeeds while the lookout proxy answers GET /health with 2xx.
#   check-proxy.sh [URL]   (default http://127.0.0.1:8080/health)
# Two tries, 0.2 s apart, each bounded (connect 0.5 s, whole try 0.8 s): a dead proxy fails in
# a fraction of a second, a hung one in under 2 s (keepalived's script timeout), and a single
# lost answer does not fail the check.
# An https URL (a proxy with listen.tls) is checked without verifying the certificate: the check
# talks to the local proxy, whose certificate names the public host, not 127.0.0.1.
url="${1:-http://127.0.0.1:8080/health}"
case "$url" in
    https://*) tls_option=--insecure ;;
    *) tls_option= ;;
esac
try() {
    curl --silent --fail --output /dev/null --noproxy '*' $tls_option --connect-timeout 0.5 --max-time 0.8 "$url"
}
try && exit 0
sleep 0.2
try
