#!/usr/bin/env bash
# Starts or stops the OCI registry that the CLI tests push to and pull from:
# Debian's `docker-registry` (CNCF distribution), listening on 127.0.0.1 only.
#
#   scripts/registry.sh start   # prints the URL; writes it to .tmp/registry/url
#   scripts/registry.sh stop
#
# The port is fixed (PROXY_WASM_AS_REGISTRY_PORT, default 5123) unless it is taken, in which case
# a free one is chosen. PROXY_WASM_AS_REGISTRY_STATE moves the state directory (default .tmp/registry). The tests read .tmp/registry/url (and .tmp/registry/storage, the blob
# store on disk) and start a registry of their own when that file is missing or nothing answers.
set -euo pipefail
cd "$(dirname "$0")/.."

state="${PROXY_WASM_AS_REGISTRY_STATE:-.tmp/registry}"
port="${PROXY_WASM_AS_REGISTRY_PORT:-5123}"

port_free() {
  node -e '
    const s = require("node:net").createServer();
    s.once("error", () => process.exit(1));
    s.listen(Number(process.argv[1]), "127.0.0.1", () => s.close(() => process.exit(0)));
  ' "$1"
}

free_port() {
  node -e '
    const s = require("node:net").createServer();
    s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });
  '
}

answers() {
  node -e '
    fetch(process.argv[1] + "/v2/").then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1));
  ' "$1"
}

start() {
  if [ -f "$state/pid" ] && kill -0 "$(cat "$state/pid")" 2>/dev/null && answers "$(cat "$state/url")"; then
    cat "$state/url"
    return 0
  fi
  command -v docker-registry >/dev/null || {
    echo "registry.sh: docker-registry is not installed (apt-get install docker-registry)" >&2
    exit 1
  }
  rm -rf "$state"
  mkdir -p "$state/storage"
  local abs
  abs="$(cd "$state" && pwd)"
  port_free "$port" || port="$(free_port)"
  cat >"$state/config.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $abs/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: proxy-wasm-as-tests
EOF
  nohup docker-registry serve "$state/config.yml" >"$state/log" 2>&1 &
  echo $! >"$state/pid"
  local url="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    if answers "$url"; then
      echo "$url" >"$state/url"
      echo "$abs/storage" >"$state/storage-dir"
      echo "$url"
      return 0
    fi
    kill -0 "$(cat "$state/pid")" 2>/dev/null || break
    sleep 0.1
  done
  echo "registry.sh: docker-registry did not answer on $url; its log:" >&2
  cat "$state/log" >&2 || true
  stop
  exit 1
}

stop() {
  if [ -f "$state/pid" ]; then
    kill "$(cat "$state/pid")" 2>/dev/null || true
  fi
  rm -f "$state/pid" "$state/url"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *)
    echo "usage: scripts/registry.sh start|stop" >&2
    exit 2
    ;;
esac
