#!/usr/bin/env bash
# The whole test suite: formatting, lints, Rust unit + integration tests (SQLite always; Postgres
# and Redis when NARADA_TEST_POSTGRES_URL / NARADA_TEST_REDIS_URL are set), then the JavaScript
# interop and headless-browser tests against the real binary.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
# The multi-process tests (kill -9, three-node cluster) and the web tests run the real `narada`
# binary; `cargo test` only builds binaries of the package under test, so build it first.
cargo build -p narada-server --bin narada
cargo test --workspace --no-fail-fast

if [ -f web/package.json ]; then
  (cd web && npm ci --no-audit --no-fund && NARADA_BIN="$PWD/../target/debug/narada" npm test)
fi
