#!/bin/sh
# Renders keepalived.conf for one proxy host from keepalived.conf.template and a settings file.
#   render-keepalived-conf.sh primary.env > /etc/keepalived/keepalived.conf
# The settings file is shell assignments (KEY=value); see primary.env and backup.env.
# Exits 2 naming the setting when one is missing or malformed; writes nothing then.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
settings="${1:?usage: render-keepalived-conf.sh SETTINGS_FILE [TEMPLATE]}"
template="${2:-$here/keepalived.conf.template}"

fail() {
    echo "render-keepalived-conf: $settings: $*" >&2
    exit 2
}

[ -r "$settings" ] || fail "cannot read the settings file"
# shellcheck disable=SC1090
. "$(cd "$(dirname "$settings")" && pwd)/$(basename "$settings")"

ROUTER_ID="${ROUTER_ID:-$(hostname)}"
INSTANCE="${INSTANCE:-LOOKOUT_VIP}"
VIP_PREFIX="${VIP_PREFIX:-24}"
PREEMPT_DELAY="${PREEMPT_DELAY:-0}"
HEALTH_URL="${HEALTH_URL:-http://127.0.0.1:8080/health}"
SCRIPT_DIR="${SCRIPT_DIR:-/etc/keepalived}"
SCRIPT_USER="${SCRIPT_USER:-keepalived_script}"
NOTIFY_LOG="${NOTIFY_LOG:-/var/log/lookout-keepalived.log}"

is_ipv4() {
    echo "$1" | grep -Eq '^(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}$'
}
is_int_in() { # value min max
    echo "$1" | grep -Eq '^[0-9]+$' && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]
}
for name in INTERFACE SELF_IP PEER_IP VIP VRID PRIORITY; do
    eval "value=\${$name:-}"
    [ -n "$value" ] || fail "$name is not set"
done
for name in SELF_IP PEER_IP VIP; do
    eval "value=\${$name}"
    is_ipv4 "$value" || fail "$name: expected an IPv4 address such as 10.0.0.10, got \"$value\""
done
[ "$SELF_IP" != "$PEER_IP" ] || fail "SELF_IP and PEER_IP are both $SELF_IP: PEER_IP is the other host"
is_int_in "$VRID" 1 255 || fail "VRID: expected 1-255 (the same on both hosts, unique on the network), got \"$VRID\""
is_int_in "$PRIORITY" 1 254 || fail "PRIORITY: expected 1-254 (primary above backup by less than 100), got \"$PRIORITY\""
is_int_in "$VIP_PREFIX" 1 32 || fail "VIP_PREFIX: expected 1-32, got \"$VIP_PREFIX\""
is_int_in "$PREEMPT_DELAY" 0 1000 || fail "PREEMPT_DELAY: expected 0-1000 seconds, got \"$PREEMPT_DELAY\""
echo "$INTERFACE" | grep -Eq '^[A-Za-z0-9_.:-]{1,15}$' || fail "INTERFACE: expected a network interface name such as eth0, got \"$INTERFACE\""
echo "$INSTANCE" | grep -Eq '^[A-Za-z0-9_-]+$' || fail "INSTANCE: expected letters, digits, _ or -, got \"$INSTANCE\""
case "$HEALTH_URL" in http://* | https://*) ;; *) fail "HEALTH_URL: expected an http(s) URL, got \"$HEALTH_URL\"" ;; esac
case "$SCRIPT_DIR" in /*) ;; *) fail "SCRIPT_DIR: expected an absolute path, got \"$SCRIPT_DIR\"" ;; esac
for name in HEALTH_URL SCRIPT_DIR NOTIFY_LOG ROUTER_ID SCRIPT_USER; do
    eval "value=\${$name}"
    case "$value" in *[[:space:]\"\'\|\\]*) fail "$name must not contain spaces, quotes, | or \\" ;; esac
done

# Replace each ${NAME} of the template; sed's delimiter | cannot occur in the values (checked above).
sed \
    -e "s|\${ROUTER_ID}|$ROUTER_ID|g" \
    -e "s|\${INSTANCE}|$INSTANCE|g" \
    -e "s|\${INTERFACE}|$INTERFACE|g" \
    -e "s|\${SELF_IP}|$SELF_IP|g" \
    -e "s|\${PEER_IP}|$PEER_IP|g" \
    -e "s|\${VIP}|$VIP|g" \
    -e "s|\${VIP_PREFIX}|$VIP_PREFIX|g" \
    -e "s|\${VRID}|$VRID|g" \
    -e "s|\${PRIORITY}|$PRIORITY|g" \
    -e "s|\${PREEMPT_DELAY}|$PREEMPT_DELAY|g" \
    -e "s|\${HEALTH_URL}|$HEALTH_URL|g" \
    -e "s|\${SCRIPT_DIR}|$SCRIPT_DIR|g" \
    -e "s|\${SCRIPT_USER}|$SCRIPT_USER|g" \
    -e "s|\${NOTIFY_LOG}|$NOTIFY_LOG|g" \
    "$template" >"${TMPDIR:-/tmp}/render-keepalived.$$"
if grep -n '\${' "${TMPDIR:-/tmp}/render-keepalived.$$" >&2; then
    rm -f "${TMPDIR:-/tmp}/render-keepalived.$$"
    fail "the template has placeholders this script does not know (listed above)"
fi
cat "${TMPDIR:-/tmp}/render-keepalived.$$"
rm -f "${TMPDIR:-/tmp}/render-keepalived.$$"
