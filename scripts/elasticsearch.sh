#!/usr/bin/env bash
# A real Elasticsearch for the tests: the `integ-test-zip` distribution from Maven Central,
# run single-node on loopback as the non-root user `elasticsearch` (it refuses to run as root).
#
#   scripts/elasticsearch.sh fetch    download (once) and unpack into the cache
#   scripts/elasticsearch.sh start    fetch if needed, start from a clean data dir, wait for yellow
#   scripts/elasticsearch.sh stop     stop it and wait until it is gone
#   scripts/elasticsearch.sh status   print whether it is up (exit 0 when up, 1 when not)
#   scripts/elasticsearch.sh env      print the resolved paths and settings
#
# Environment:
#   ES_VERSION        default 8.19.21 (newest 8.x in Maven Central's metadata)
#   ES_PORT           HTTP port on 127.0.0.1, default 9200
#   ES_KEEP_DATA=1    keep the data dir between starts (default: wiped at every start)
#   ES_START_TIMEOUT  seconds to wait for yellow, default 180
#   ES_JAVA_HOME      JDK to run with (default: the machine's Java 17, else `java` on PATH)
#   ES_HEAP           default 512m (-Xms and -Xmx)
#   LOOKOUT_CACHE     download cache, default $HOME/.cache/lookout (outside the clone)
#   ES_EXTRA_SETTINGS more elasticsearch.yml lines (e.g. "indices.query.bool.max_clause_count: 8192")
#   ES_RUN_DIR        config/data/logs/pid of one instance, default /tmp/lookout-elasticsearch-$ES_PORT
#
# What this zip is: Elasticsearch core plus only the modules apm, transport-netty4, x-pack-core and
# x-pack-security. Checked against 8.19.21:
#   works:   _index_template, _component_template, legacy _template, aliases (write, filtered),
#            _rollover, _bulk create/index/update/delete (create on an existing id: item 409),
#            _create/{id}, _mget, _msearch, PIT, scroll, keyword/text/date/date_nanos/ip/
#            flattened/geo_point/dense_vector fields, index.mode logsdb, the lowercase normalizer,
#            whitespace/standard analyzers, terms/date_histogram/histogram/range/filters/composite/
#            percentiles/cardinality/stats/top_hits/significant_terms/cumulative_sum/max_bucket
#            aggregations; a data stream is auto-created by indexing into a data_stream template.
#   missing: GET / (rest-root module: 405), ILM (_ilm/* and the setting index.lifecycle.name,
#            which makes index creation fail), the _data_stream API (so a data stream can be
#            neither listed nor deleted: only a restart with a clean data dir removes it),
#            field types wildcard, match_only_text, constant_keyword, scaled_float, unsigned_long,
#            version, token_count, search_as_you_type, rank_feature, histogram, join, percolator,
#            every script (painless, expression: scripted updates, script_score, bucket_script,
#            moving_fn), ingest processors (only an empty pipeline is accepted), _reindex,
#            _update_by_query, _delete_by_query, _search/template, _sql, ES|QL, _async_search,
#            aggregations derivative, bucket_sort, auto_date_histogram, rate, multi_terms,
#            top_metrics. Unknown settings are fatal at boot: ingest.geoip.*, xpack.monitoring.*
#            (xpack.security.enabled, xpack.ml.enabled and xpack.watcher.enabled are accepted).
set -euo pipefail

ES_VERSION="${ES_VERSION:-8.19.21}"
ES_PORT="${ES_PORT:-9200}"
ES_HEAP="${ES_HEAP:-512m}"
ES_START_TIMEOUT="${ES_START_TIMEOUT:-180}"
ES_USER="elasticsearch"
CACHE_ROOT="${LOOKOUT_CACHE:-$HOME/.cache/lookout}"
DIST_CACHE="$CACHE_ROOT/elasticsearch/$ES_VERSION"
DIST_HOME="$DIST_CACHE/elasticsearch-$ES_VERSION"
ZIP="$DIST_CACHE/elasticsearch-$ES_VERSION.zip"
RUN_DIR="${ES_RUN_DIR:-/tmp/lookout-elasticsearch-$ES_PORT}"
PID_FILE="$RUN_DIR/elasticsearch.pid"
LAUNCHER_PID_FILE="$RUN_DIR/launcher.pid"
CLUSTER_NAME="lookout-test"
URL="http://127.0.0.1:$ES_PORT"
MAVEN_ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip"
DEPENDENCY_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

log() { printf '[elasticsearch] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

java_home() {
  if [[ -n "${ES_JAVA_HOME:-}" ]]; then echo "$ES_JAVA_HOME"; return; fi
  local candidate
  for candidate in /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/java-17-openjdk-arm64 /usr/lib/jvm/java-17-openjdk; do
    if [[ -x "$candidate/bin/java" ]]; then echo "$candidate"; return; fi
  done
  local java
  java="$(command -v java)" || die "no Java found: install a JDK 17 or 21 or set ES_JAVA_HOME"
  dirname "$(dirname "$(readlink -f "$java")")"
}

cmd_fetch() {
  if [[ -f "$DIST_HOME/.lookout-complete" ]]; then
    return 0
  fi
  command -v unzip >/dev/null || die "unzip is missing (apt-get install unzip)"
  mkdir -p "$DIST_CACHE"
  if [[ ! -s "$ZIP" ]]; then
    command -v mvn >/dev/null || die "mvn is missing: it fetches $MAVEN_ARTIFACT"
    log "fetching $MAVEN_ARTIFACT with Maven ..."
    local started=$SECONDS
    mvn -B -q -Dstyle.color=never "$DEPENDENCY_PLUGIN:copy" -Dartifact="$MAVEN_ARTIFACT" \
      -DoutputDirectory="$DIST_CACHE" -Dmdep.overWriteReleases=true \
      || die "maven could not fetch $MAVEN_ARTIFACT"
    [[ -s "$ZIP" ]] || die "maven reported success but $ZIP is missing"
    log "fetched in $((SECONDS - started))s"
  fi
  log "unpacking into $DIST_CACHE ..."
  local staging="$DIST_CACHE/.unpack.$$"
  rm -rf "$staging" "$DIST_HOME"
  mkdir -p "$staging"
  unzip -q "$ZIP" -d "$staging"
  mv "$staging/elasticsearch-$ES_VERSION" "$DIST_HOME"
  rm -rf "$staging"
  touch "$DIST_HOME/.lookout-complete"
}

ensure_user() {
  if id -u "$ES_USER" >/dev/null 2>&1; then return 0; fi
  log "creating system user $ES_USER"
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin "$ES_USER"
}

# Runs "$@" as the user that runs Elasticsearch (root: the dedicated user; anyone else: themselves).
as_es_user() {
  if [[ $EUID -eq 0 ]]; then
    setpriv --reuid="$ES_USER" --regid="$ES_USER" --init-groups -- "$@"
  else
    "$@"
  fi
}

read_pid() {
  local file="$1" pid
  [[ -f "$file" ]] || return 1
  pid="$(tr -dc '0-9' <"$file")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# GET / is not there: the integ-test zip lacks the rest-root module, so ask the health API.
answers() {
  curl -fsS --max-time 5 "$URL/_cluster/health" >/dev/null 2>&1
}

print_log_tail() {
  local file
  for file in "$RUN_DIR/stdout.log" "$RUN_DIR/logs/$CLUSTER_NAME.log"; do
    if [[ -s "$file" ]]; then
      log "---- last lines of $file ----"
      tail -n 40 "$file" >&2
    fi
  done
}

# The instance's own tree under $RUN_DIR: home is a hard-linked view of the cached distribution
# (so the non-root user can reach it even when the cache sits under a private $HOME), config is a
# writable copy (Elasticsearch writes its keystore there), and data, logs and tmp belong to it.
prepare_run_dir() {
  mkdir -p "$RUN_DIR"
  if [[ ! -f "$RUN_DIR/home/.lookout-complete" ]] || ! cmp -s "$RUN_DIR/home/.version" <(echo "$ES_VERSION"); then
    rm -rf "$RUN_DIR/home"
    cp -al "$DIST_HOME" "$RUN_DIR/home" 2>/dev/null || cp -a "$DIST_HOME" "$RUN_DIR/home"
    rm -f "$RUN_DIR/home/.version"
    echo "$ES_VERSION" >"$RUN_DIR/home/.version"
  fi
  rm -rf "$RUN_DIR/config" "$RUN_DIR/logs" "$RUN_DIR/tmp"
  if [[ "${ES_KEEP_DATA:-0}" != "1" ]]; then
    rm -rf "$RUN_DIR/data"
  fi
  cp -a "$DIST_HOME/config" "$RUN_DIR/config"
  mkdir -p "$RUN_DIR/data" "$RUN_DIR/logs" "$RUN_DIR/tmp"
  # Settings: loopback only, one node, no TLS or auth, no disk watermarks (CI disks may be small),
  # and wildcard deletes allowed so tests can clean up with DELETE /lookout-*.
  cat >"$RUN_DIR/config/elasticsearch.yml" <<EOF
cluster.name: $CLUSTER_NAME
node.name: lookout-test-node
discovery.type: single-node
network.host: 127.0.0.1
http.port: $ES_PORT
path.data: $RUN_DIR/data
path.logs: $RUN_DIR/logs
xpack.security.enabled: false
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
${ES_EXTRA_SETTINGS:-}
EOF
  rm -f "$PID_FILE" "$LAUNCHER_PID_FILE" "$RUN_DIR/stdout.log"
  if [[ $EUID -eq 0 ]]; then
    chmod 755 "$RUN_DIR"
    chown -R "$ES_USER:$ES_USER" "$RUN_DIR/config" "$RUN_DIR/data" "$RUN_DIR/logs" "$RUN_DIR/tmp"
    chown "$ES_USER:$ES_USER" "$RUN_DIR"
  fi
}

cmd_start() {
  if pid="$(read_pid "$PID_FILE")" && answers; then
    log "already running at $URL (pid $pid)"
    return 0
  fi
  if answers; then
    die "something else already answers at $URL; stop it or set ES_PORT"
  fi
  command -v curl >/dev/null || die "curl is missing (apt-get install curl)"
  cmd_fetch
  if [[ $EUID -eq 0 ]]; then ensure_user; fi
  cmd_stop_quiet
  prepare_run_dir
  local jhome
  jhome="$(java_home)"
  log "starting Elasticsearch $ES_VERSION at $URL (java: $jhome, run dir: $RUN_DIR)"
  (
    cd "$RUN_DIR/logs" # jvm.options writes gc.log and hs_err files to the working directory
    as_es_user env -i \
      PATH=/usr/local/bin:/usr/bin:/bin \
      HOME="$RUN_DIR/tmp" \
      ES_JAVA_HOME="$jhome" \
      ES_PATH_CONF="$RUN_DIR/config" \
      ES_TMPDIR="$RUN_DIR/tmp" \
      ES_JAVA_OPTS="-Xms$ES_HEAP -Xmx$ES_HEAP" \
      "$RUN_DIR/home/bin/elasticsearch" -p "$PID_FILE" \
      </dev/null >"$RUN_DIR/stdout.log" 2>&1 &
    echo $! >"$LAUNCHER_PID_FILE"
  )
  local launcher started=$SECONDS
  launcher="$(tr -dc '0-9' <"$LAUNCHER_PID_FILE")"
  printf '[elasticsearch] waiting for yellow ' >&2
  while true; do
    if curl -fsS --max-time 5 "$URL/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1; then
      printf ' up after %ss\n' "$((SECONDS - started))" >&2
      break
    fi
    if ! kill -0 "$launcher" 2>/dev/null; then
      printf ' exited\n' >&2
      print_log_tail
      die "Elasticsearch exited during startup"
    fi
    if ((SECONDS - started >= ES_START_TIMEOUT)); then
      printf ' timeout\n' >&2
      print_log_tail
      cmd_stop_quiet
      die "Elasticsearch did not reach yellow within ${ES_START_TIMEOUT}s"
    fi
    printf '.' >&2
    sleep 1
  done
  local wait_pid=0
  while [[ ! -s "$PID_FILE" ]] && ((wait_pid < 20)); do sleep 0.25; wait_pid=$((wait_pid + 1)); done
  log "running (pid $(cat "$PID_FILE" 2>/dev/null || echo '?'))"
}

# Stops the instance of this run dir; prints nothing when none runs.
cmd_stop_quiet() {
  local pids=() pid file
  for file in "$PID_FILE" "$LAUNCHER_PID_FILE"; do
    if pid="$(read_pid "$file")"; then pids+=("$pid"); fi
  done
  ((${#pids[@]} > 0)) || return 0
  log "stopping (pids ${pids[*]}) ..."
  kill -TERM "${pids[@]}" 2>/dev/null || true
  local waited=0
  while ((waited < 60)); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive == 0)) && break
    sleep 0.5
    waited=$((waited + 1))
  done
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      log "pid $pid still alive after 30s: killing"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  rm -f "$PID_FILE" "$LAUNCHER_PID_FILE"
  log "stopped"
}

cmd_stop() {
  if ! read_pid "$PID_FILE" >/dev/null && ! read_pid "$LAUNCHER_PID_FILE" >/dev/null; then
    log "not running (run dir $RUN_DIR)"
    return 0
  fi
  cmd_stop_quiet
}

cmd_status() {
  local pid=""
  pid="$(read_pid "$PID_FILE" || true)"
  if answers; then
    local health
    health="$(curl -fsS --max-time 5 "$URL/_cluster/health" 2>/dev/null | grep -o '"status":"[a-z]*"' || true)"
    echo "elasticsearch $ES_VERSION is up at $URL${pid:+ (pid $pid)} ${health}"
    return 0
  fi
  echo "elasticsearch is not answering at $URL${pid:+ (pid $pid is alive)}"
  return 1
}

cmd_env() {
  cat <<EOF
ES_VERSION=$ES_VERSION
ES_URL=$URL
ES_DIST=$DIST_HOME
ES_RUN_DIR=$RUN_DIR
ES_JAVA_HOME=$(java_home)
EOF
}

case "${1:-}" in
  fetch) cmd_fetch; log "ready: $DIST_HOME" ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *) echo "usage: $0 fetch|start|stop|status|env" >&2; exit 2 ;;
esac
