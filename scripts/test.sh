#!/usr/bin/env bash
# The whole test suite: formatting, lints, Rust unit + integration tests (SQLite always; Postgres
# and Redis when NARADA_TEST_POSTGRES_URL / NARADA_TEST_REDIS_URL are set), then the JavaScript
# interop and headless-browser tests against the real binary. The web checks that need no build
# come first, so a type error or a stale web/dist fails in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -f web/package.json ]; then
  (cd web && npm ci --no-audit --no-fund)
  # TypeScript type check (tsc --noEmit), then: web/dist (which the server embeds) must be
  # exactly what a fresh build of web/src makes; it names every file that differs.
  npm --prefix web run check
  npm --prefix web run verify-dist
fi

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
# The multi-process tests (kill -9, three-node cluster) and the web tests run the real `narada`
# binary; `cargo test` only builds binaries of the package under test, so build it first.
cargo build -p narada-server --bin narada
cargo test --workspace --no-fail-fast

if [ -f web/package.json ]; then
  (cd web && NARADA_BIN="$PWD/../target/debug/narada" npm test)
fi
