#!/usr/bin/env bash
# The benchmark suite of issue 3 in one command: Narada and its peers, every scenario, same run.
#
#   bench/run.sh            full suite (about an hour on 2 cores), 3 runs per figure
#   bench/run.sh --quick    smoke run: small sizes, 1 run, Narada + the peers that install
#                           quickly; fails (non-zero) if any scenario fails its correctness check
#   bench/run.sh --quick --debug --targets narada
#                           what CI runs: the smoke run on the debug build the tests already made
#                           (figures meaningless, every scenario and check exercised)
#
# Options: --runs N, --targets "narada yws hocuspocus ysweet", --scenarios "floor fanout idle docs
# coldload durability crossnode", --db sqlite|postgres (Narada's store; default postgres when reachable),
# --out DIR (default bench/results/DATE), --traces DIR, --debug (use the debug build). Env:
# NARADA_BIN (server binary to test), BENCH_PEERS_DIR (where peers.sh installs the peers),
# BENCH_IDLE_HOLD (seconds the idle scenario holds its clients; default 10),
# NARADA_TRACES (the editing traces; default ../shared/data/editing-traces beside the checkout,
# else /work/shared/data/editing-traces).
#
# Every server is started fresh for each scenario run, pinned to core 0; the generator is pinned to
# core 1 (taskset). Results: DIR/results.jsonl (one JSON line per figure), DIR/summary.md (median,
# min and max over the runs), DIR/machine.txt, DIR/versions.txt, DIR/*.log (server logs).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"

QUICK=0
PROFILE=release
RUNS=""
TARGETS=""
SCENARIOS="floor fanout idle docs coldload durability crossnode"
DB=""
OUT=""
TRACES=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --debug) PROFILE=debug ;;
    --runs) RUNS="$2"; shift ;;
    --targets) TARGETS="$2"; shift ;;
    --scenarios) SCENARIOS="$2"; shift ;;
    --db) DB="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    --traces) TRACES="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[[ -n "$RUNS" ]] || RUNS=$([[ $QUICK == 1 ]] && echo 1 || echo 3)
OUT="${OUT:-bench/results/$(date -u +%Y%m%dT%H%M%SZ)$([[ $QUICK == 1 ]] && echo -quick)}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
RESULTS="$OUT/results.jsonl"
: >"$RESULTS"
TRACE_ARGS=()
[[ -n "$TRACES" ]] && TRACE_ARGS=(--traces "$TRACES")

# Cores: server on 0, generator on 1 (both exist on this 2-core machine; a 1-core box shares).
NCPU=$(nproc)
SERVER_CPU=0
GEN_CPU=$((NCPU > 1 ? 1 : 0))
PORT_BASE=19100
export NARADA_SECRET="${NARADA_SECRET:-bench-secret-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
# The generator raises its own limit; servers inherit this one (as high as the hard limit).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

log() { echo "run.sh: $*" >&2; }

echo "== build"
# NARADA_BIN: benchmark an already built server binary (e.g. one commit against another).
CARGO_PROFILE=(--release)
[[ $PROFILE == debug ]] && CARGO_PROFILE=()
if [[ -n "${NARADA_BIN:-}" ]]; then
  cargo build "${CARGO_PROFILE[@]}" -p narada-bench 2>&1 | tail -n 2
else
  cargo build "${CARGO_PROFILE[@]}" -p narada-server -p narada-bench 2>&1 | tail -n 2
fi
NARADA="${NARADA_BIN:-$REPO/target/$PROFILE/narada}"
BENCH="$REPO/target/$PROFILE/narada-bench"

echo "== peers"
if [[ $QUICK == 1 ]]; then
  # Smoke: the Node peers install in seconds; y-sweet only if a previous full run installed it.
  # Nothing to install when the targets were given and none of them is a Node peer.
  if [[ -z "$TARGETS" || "$TARGETS" == *yws* || "$TARGETS" == *hocuspocus* ]]; then
    bench/peers.sh install-node || log "node peers unavailable"
  fi
elif [[ -z "$TARGETS" || "$TARGETS" != narada ]]; then
  bench/peers.sh install || true
fi
PEERS_DIR="${BENCH_PEERS_DIR:-/work/bench-peers}"
if [[ -z "$TARGETS" ]]; then
  TARGETS="narada"
  [[ -d "$PEERS_DIR/yws/node_modules/@y/websocket-server" ]] && TARGETS+=" yws"
  [[ -d "$PEERS_DIR/hocuspocus/node_modules/@hocuspocus/server" ]] && TARGETS+=" hocuspocus"
  [[ -x "$PEERS_DIR/ysweet/bin/y-sweet" ]] && TARGETS+=" ysweet"
fi
log "targets: $TARGETS; scenarios: $SCENARIOS; runs: $RUNS; out: $OUT"

if [[ -z "$DB" ]]; then
  if command -v pg_isready >/dev/null && pg_isready -h 127.0.0.1 -p 5432 -q; then DB=postgres; else DB=sqlite; fi
fi

{
  echo "date: $(date -u +%FT%TZ)"
  echo "nproc: $NCPU"
  lscpu | grep -E 'Model name|Thread|Core|Socket|MHz' || true
  grep MemTotal /proc/meminfo
  uname -r
  echo "server core: $SERVER_CPU, generator core: $GEN_CPU"
  echo "narada store: $DB"
  echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/machine.txt"
{
  echo "narada $(git rev-parse --short HEAD) ($(rustc --version))"
  bench/peers.sh versions || true
  [[ $DB == postgres ]] && psql -h 127.0.0.1 -U postgres -tAc 'show server_version' 2>/dev/null | sed 's/^/postgres /'
  [[ $DB == postgres ]] && psql -h 127.0.0.1 -U postgres -tAc 'show synchronous_commit' 2>/dev/null | sed 's/^/postgres synchronous_commit=/'
} >"$OUT/versions.txt" 2>/dev/null || true

SERVER_PID=""
PORT=$PORT_BASE
DB_URL=""

wait_port() { # port: wait until something accepts on 127.0.0.1:port (bounded)
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  log "nothing listens on port $1"; return 1
}

fresh_db() { # name
  if [[ $DB == postgres ]]; then
    psql -q -h 127.0.0.1 -U postgres -c "drop database if exists $1" -c "create database $1" postgres >/dev/null
    DB_URL="postgres://postgres@127.0.0.1:5432/$1"
  else
    rm -f "$OUT/$1.db" "$OUT/$1.db-wal" "$OUT/$1.db-shm"
    DB_URL="sqlite://$OUT/$1.db"
  fi
}

# start TARGET [keep]: starts the target on a new port, sets SERVER_PID and URL. With keep, Narada
# reuses the current database and the peers their store (a restart, for cold loads).
start() {
  local t="$1" keep="${2:-}"
  [[ -n "$keep" ]] || PORT=$((PORT + 1))
  case "$t" in
    narada)
      [[ -n "$keep" ]] || fresh_db "narada_bench_$PORT"
      RUST_LOG=warn taskset -c "$SERVER_CPU" "$NARADA" serve --addr "127.0.0.1:$PORT" \
        --database-url "$DB_URL" >>"$OUT/narada-$PORT.log" 2>&1 &
      SERVER_PID=$!
      URL="ws://127.0.0.1:$PORT"
      ;;
    yws | hocuspocus | ysweet)
      if [[ -n "$keep" && $t != yws ]]; then
        SERVER_PID=$(BENCH_PEERS_KEEP_STORE=1 taskset -c "$SERVER_CPU" bench/peers.sh start "$t" "$PORT")
      else
        SERVER_PID=$(taskset -c "$SERVER_CPU" bench/peers.sh start "$t" "$PORT")
      fi
      URL=$([[ $t == ysweet ]] && echo "http://127.0.0.1:$PORT" || echo "ws://127.0.0.1:$PORT")
      ;;
  esac
  wait_port "$PORT"
}

# start_node: one cluster node (REDIS_URL on) on a new port and the current DB_URL; sets
# SERVER_PID and URL.
start_node() {
  PORT=$((PORT + 1))
  RUST_LOG=warn REDIS_URL=redis://127.0.0.1:6379 taskset -c "$SERVER_CPU" "$NARADA" serve \
    --addr "127.0.0.1:$PORT" --database-url "$DB_URL" >>"$OUT/narada-$PORT.log" 2>&1 &
  SERVER_PID=$!
  URL="ws://127.0.0.1:$PORT"
  wait_port "$PORT"
}

stop() {
  if [[ -n "$SERVER_PID" ]]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
trap stop EXIT

FAILED=()
bench() { # scenario target run args...: runs the generator on its core, collects JSON lines
  local scenario="$1" target="$2" run="$3"; shift 3
  log "$scenario / $target / run $run"
  if ! taskset -c "$GEN_CPU" "$BENCH" "$@" --label "run$run" "${TRACE_ARGS[@]}" \
      >>"$RESULTS" 2>>"$OUT/bench-stderr.log"; then
    FAILED+=("$scenario/$target/run$run")
    log "FAILED: $scenario / $target / run $run (see $OUT/bench-stderr.log)"
  fi
}

if [[ $QUICK == 1 ]]; then
  FANOUT=(--readers 10,50 --rates 100 --duration 2 --warmup 0.5)
  IDLE=(--clients 500 --clients-per-doc 50 --hold 1)
  DOCS=(--docs 20 --writers 2 --rates 200,400 --duration 2 --warmup 0.5)
  COLD_TAILS=0,1000; COLD_PREP=(--copies 2 --edits 20000); COLD=("${COLD_PREP[@]}" --warm 3)
  DUR=(--docs 10 --rates 500 --fanout-readers 10 --fanout-rate 50 --duration 2 --warmup 0.5)
  FLOOR=(--iterations 20000 --edits 20000)
  CROSS=(--readers 10 --rates 100 --duration 2 --warmup 0.5)
else
  FANOUT=(--readers 10,100,1000 --rates 20,100,1000 --duration 10 --warmup 2)
  # BENCH_IDLE_HOLD: a hold longer than ping_interval (20 s) includes keepalives in the CPU figure.
  IDLE=(--clients 10000 --clients-per-doc 100 --hold "${BENCH_IDLE_HOLD:-10}")
  DOCS=(--docs 1000 --writers 2 --rates 1000,2000,5000,10000,20000,40000 --duration 10 --warmup 2)
  COLD_TAILS=0,1000,10000; COLD_PREP=(--copies 5); COLD=("${COLD_PREP[@]}" --warm 20)
  DUR=(--docs 100 --rates 5000,20000,50000 --fanout-readers 100 --fanout-rate 100 --duration 10 --warmup 2)
  FLOOR=(--iterations 200000)
  CROSS=(--readers 10,100 --rates 100,1000 --duration 10 --warmup 2)
fi

for scenario in $SCENARIOS; do
  echo "== $scenario"
  if [[ $scenario == floor ]]; then
    for run in $(seq 1 "$RUNS"); do bench floor - "$run" floor "${FLOOR[@]}"; done
    continue
  fi
  if [[ $scenario == crossnode ]]; then
    # Scale-out: two Narada nodes on one Postgres database and Redis (REDIS_URL), the writer on
    # the first, the readers on the second; the same fanout on one node alongside in the same run
    # (the fanout scenario's, when it runs).
    if [[ $DB != postgres ]] || ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
      log "crossnode needs Postgres and Redis on 127.0.0.1; skipped"
      continue
    fi
    for run in $(seq 1 "$RUNS"); do
      RID="r$(date +%s)$run"
      if [[ " $SCENARIOS " != *" fanout "* ]]; then
        start narada
        bench fanout narada "$run" fanout --target narada --url "$URL" --server-pid "$SERVER_PID" \
          --run-id "$RID-one" "${CROSS[@]}"
        stop
      fi
      # The same database for both nodes (the single source of truth), fresh for this run.
      fresh_db "narada_bench_cross_$run"
      start_node; NODE_A_PID=$SERVER_PID; NODE_A_URL=$URL
      start_node; NODE_B_PID=$SERVER_PID
      bench crossnode narada "$run" fanout --target narada --url "$NODE_A_URL" \
        --reader-url "$URL" --run-id "$RID-two" "${CROSS[@]}"
      SERVER_PID=$NODE_A_PID; stop
      SERVER_PID=$NODE_B_PID; stop
    done
    continue
  fi
  for t in $TARGETS; do
    # Durable acknowledgement is Narada's extension; the peers have nothing to measure there.
    [[ $scenario == durability && $t != narada ]] && continue
    for run in $(seq 1 "$RUNS"); do
      RID="r$(date +%s)$run"
      case "$scenario" in
        fanout | idle | docs | durability)
          start "$t"
          # shellcheck disable=SC2206
          declare -n ARGS=$(echo "$scenario" | tr a-z A-Z | sed 's/FANOUT/FANOUT/;s/DURABILITY/DUR/')
          bench "$scenario" "$t" "$run" "$scenario" --target "$t" --url "$URL" \
            --server-pid "$SERVER_PID" --run-id "$RID" "${ARGS[@]}"
          unset -n ARGS
          stop
          ;;
        coldload)
          start "$t"
          if [[ $t == narada ]]; then
            # Written straight into the store, as if edited long ago; then a fresh server.
            stop
            bench prepare-cold "$t" "$run" prepare-cold --target "$t" --url "$URL" \
              --database-url "$DB_URL" --run-id "$RID" --tails "$COLD_TAILS" "${COLD_PREP[@]}"
            start "$t" keep
            bench coldload "$t" "$run" coldload --target "$t" --url "$URL" --server-pid "$SERVER_PID" \
              --run-id "$RID" --tails "$COLD_TAILS" "${COLD[@]}"
          else
            # The peers are fed through a client (the only way in), then restarted so they load
            # from their own storage; y-websocket-server keeps nothing, so it is measured warm.
            bench prepare-cold "$t" "$run" prepare-cold --target "$t" --url "$URL" \
              --run-id "$RID" --tails "$COLD_TAILS" "${COLD_PREP[@]}"
            if [[ $t == yws ]]; then
              bench coldload "$t" "$run" coldload --target "$t" --url "$URL" --run-id "$RID" \
                --tails "$COLD_TAILS" "${COLD[@]}" --warm-only
            else
              # y-sweet writes a document to its store on a timer (--checkpoint-freq-seconds,
              # default 10 s) and not at SIGTERM; there is no event to wait for, so wait it out.
              [[ $t == ysweet ]] && sleep 12
              stop
              start "$t" keep
              bench coldload "$t" "$run" coldload --target "$t" --url "$URL" --run-id "$RID" \
                --tails "$COLD_TAILS" "${COLD[@]}"
            fi
          fi
          stop
          ;;
      esac
    done
  done
done

"$BENCH" summarize "$RESULTS" >"$OUT/summary.md"
cat "$OUT/summary.md"
if [[ ${#FAILED[@]} -gt 0 ]]; then
  echo "FAILED: ${FAILED[*]}" >&2
  exit 1
fi
echo "bench: all scenarios passed their correctness checks ($OUT)"
