#!/bin/sh
# keepalived notify script: logs each VRRP state transition with a UTC timestamp to stdout,
# syslog (tag lookout-keepalived) and, when given, a log file.
#   notify "/etc/keepalived/notify.sh /var/log/lookout-keepalived.log"
# keepalived appends: TYPE (INSTANCE|GROUP) NAME STATE (MASTER|BACKUP|FAULT|STOP) PRIORITY.
log_file="$1"
type="$2"
name="$3"
state="$4"
priority="$5"
line="$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) host=$(hostname) $(echo "$type" | tr 'A-Z' 'a-z')=$name state=$state priority=$priority"
echo "$line"
if [ -n "$log_file" ]; then echo "$line" >>"$log_file"; fi
if command -v logger >/dev/null 2>&1; then logger -t lookout-keepalived -p daemon.notice "$line" 2>/dev/null || true; fi
exit 0
