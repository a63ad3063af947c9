#!/usr/bin/env bash
# Installs and starts the peer servers Narada is benchmarked against, on loopback.
#
# Nothing of the peers is committed: everything is installed into a scratch directory outside the
# repository (default /work/bench-peers, override with BENCH_PEERS_DIR), with the peers' ordinary
# installers (npm, cargo install). Each peer runs the way its users run it.
#
#   bench/peers.sh install            install all peers (y-sweet compiles for a long time)
#   bench/peers.sh install-ysweet     only y-sweet (run early, in the background)
#   bench/peers.sh start PEER PORT    start one peer in the background; prints its PID (its store
#                                     is emptied first unless BENCH_PEERS_KEEP_STORE=1: a restart)
#   bench/peers.sh versions           prints the installed versions, one per line
#
# PEER is yws (@y/websocket-server 0.1.1 + yjs 13), hocuspocus (@hocuspocus/server 3.x) or ysweet.
# Persistence, as users run them: yws keeps documents in memory only (its default without
# YPERSISTENCE); hocuspocus stores each document in a file through its Database extension;
# y-sweet stores documents in a directory (its `serve STORE` mode).
set -euo pipefail

PEERS_DIR="${BENCH_PEERS_DIR:-/work/bench-peers}"
YWS_VERSION="0.1.1"
HOCUSPOCUS_RANGE="^3.4.0"
YJS_RANGE="^13.6.0"

log() { echo "peers.sh: $*" >&2; }

install_node_peers() {
  mkdir -p "$PEERS_DIR/yws" "$PEERS_DIR/hocuspocus"
  if [[ ! -x "$PEERS_DIR/yws/node_modules/.bin/y-websocket" ]]; then
    log "installing @y/websocket-server@$YWS_VERSION"
    (cd "$PEERS_DIR/yws" && { [[ -f package.json ]] || npm init -y >/dev/null; } &&
      npm install --no-audit --no-fund --loglevel=error \
        "@y/websocket-server@$YWS_VERSION" "yjs@$YJS_RANGE" >&2)
  fi
  if [[ ! -d "$PEERS_DIR/hocuspocus/node_modules/@hocuspocus/server" ]]; then
    log "installing @hocuspocus/server@$HOCUSPOCUS_RANGE"
    (cd "$PEERS_DIR/hocuspocus" && { [[ -f package.json ]] || npm init -y >/dev/null; } &&
      npm install --no-audit --no-fund --loglevel=error \
        "@hocuspocus/server@$HOCUSPOCUS_RANGE" "@hocuspocus/extension-database@$HOCUSPOCUS_RANGE" \
        "yjs@$YJS_RANGE" "y-protocols@^1.0.6" >&2)
  fi
  write_hocuspocus_server
}

# The Hocuspocus server as its README shows it, plus file persistence through the Database
# extension (fetch/store a document's full state), which is how its users keep documents.
write_hocuspocus_server() {
  cat >"$PEERS_DIR/hocuspocus/server.mjs" <<'EOF'
import { Server } from "@hocuspocus/server";
import { Database } from "@hocuspocus/extension-database";
import { mkdir, readFile, writeFile, rename } from "node:fs/promises";
import path from "node:path";

const port = Number(process.env.PORT || 1234);
const dir = process.env.STORE_DIR || "./data";
await mkdir(dir, { recursive: true });
const file = (name) => path.join(dir, encodeURIComponent(name) + ".ydoc");

const server = new Server({
  address: "127.0.0.1",
  port,
  quiet: true,
  extensions: [
    new Database({
      fetch: async ({ documentName }) => {
        try { return await readFile(file(documentName)); } catch { return null; }
      },
      store: async ({ documentName, state }) => {
        const tmp = file(documentName) + ".tmp";
        await writeFile(tmp, state);
        await rename(tmp, file(documentName));
      },
    }),
  ],
});
server.listen();
EOF
}

install_ysweet() {
  if [[ -x "$PEERS_DIR/ysweet/bin/y-sweet" ]]; then return 0; fi
  mkdir -p "$PEERS_DIR/ysweet"
  log "cargo install y-sweet (long compile; log in $PEERS_DIR/ysweet-install.log)"
  if ! CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}" cargo install y-sweet --locked \
      --root "$PEERS_DIR/ysweet" >"$PEERS_DIR/ysweet-install.log" 2>&1; then
    # --locked can fail when the published lock file is stale; retry the way users would.
    CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}" cargo install y-sweet \
      --root "$PEERS_DIR/ysweet" >>"$PEERS_DIR/ysweet-install.log" 2>&1 || {
      log "y-sweet install failed; see $PEERS_DIR/ysweet-install.log"; return 1; }
  fi
}

start_peer() {
  local peer="$1" port="$2" logf="$PEERS_DIR/$1-$2.log"
  case "$peer" in
    yws)
      (cd "$PEERS_DIR/yws" && HOST=127.0.0.1 PORT="$port" exec node node_modules/@y/websocket-server/src/server.js) \
        >"$logf" 2>&1 &
      ;;
    hocuspocus)
      local store="$PEERS_DIR/hocuspocus/data-$port"
      [[ -n "${BENCH_PEERS_KEEP_STORE:-}" ]] || rm -rf "$store"
      (cd "$PEERS_DIR/hocuspocus" && PORT="$port" STORE_DIR="$store" exec node server.mjs) >"$logf" 2>&1 &
      ;;
    ysweet)
      local store="$PEERS_DIR/ysweet/data-$port"
      [[ -n "${BENCH_PEERS_KEEP_STORE:-}" ]] || rm -rf "$store"
      mkdir -p "$store"
      "$PEERS_DIR/ysweet/bin/y-sweet" serve "$store" --host 127.0.0.1 --port "$port" >"$logf" 2>&1 &
      ;;
    *) log "unknown peer $peer"; return 2 ;;
  esac
  echo $!
}

versions() {
  local v
  v=$(node -p "require('$PEERS_DIR/yws/node_modules/@y/websocket-server/package.json').version" 2>/dev/null) &&
    echo "yws @y/websocket-server $v, yjs $(node -p "require('$PEERS_DIR/yws/node_modules/yjs/package.json').version")"
  v=$(node -p "require('$PEERS_DIR/hocuspocus/node_modules/@hocuspocus/server/package.json').version" 2>/dev/null) &&
    echo "hocuspocus @hocuspocus/server $v, yjs $(node -p "require('$PEERS_DIR/hocuspocus/node_modules/yjs/package.json').version")"
  if [[ -x "$PEERS_DIR/ysweet/bin/y-sweet" ]]; then
    echo "ysweet $(cargo install --list --root "$PEERS_DIR/ysweet" 2>/dev/null | grep -m1 '^y-sweet' | tr -d ':')"
  else
    echo "ysweet not installed"
  fi
  echo "node $(node --version)"
}

case "${1:-}" in
  install) install_node_peers; install_ysweet || true ;;
  install-node) install_node_peers ;;
  install-ysweet) install_ysweet ;;
  start) start_peer "$2" "$3" ;;
  versions) versions ;;
  *) sed -n '2,16p' "$0"; exit 2 ;;
esac
