#!/usr/bin/env bash
# The whole test suite: formatting, lints, Rust unit + integration tests (SQLite always; Postgres
# and Redis when NARADA_TEST_POSTGRES_URL / NARADA_TEST_REDIS_URL are set), then the JavaScript
# interop and headless-browser tests against the real binary.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace

if [ -f web/package.json ]; then
  (cd web && npm ci --no-audit --no-fund && NARADA_BIN="$PWD/../target/debug/narada" npm test)
fi
