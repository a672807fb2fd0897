#!/usr/bin/env bash
# `scripts/test-subset.sh fast|node-lines|pg [TAP OPTIONS]`: the parts of the suite that leave
# something out. `npm test` runs everything (browser tests included) on Node 26.
#
#   npm run test:fast        the domain and HTTP tests, for every change while you work: about 200
#                            CPU-seconds, under four minutes on two cores. No build, no type check.
#   npm run test:node-lines  what shows Deskbell works on the Node first on the PATH: .ci/run runs
#                            the whole suite (`npm test`) on Node 26 and this on Node 22 and 24, over
#                            the same node_modules (better-sqlite3's prebuilt addon is Node-API).
#
# Out of both, because Node is not what they test, or they are slow and `npm test` runs them:
#   test/e2e/**, test/**/browser.test.ts   Chromium driving the pages
#   test/ops/binary.test.ts                the single executable, which embeds its own Node 26
#   test/reliability/**                    crash and load tests (minutes; `npm run test:stress` too)
#   test/bench/**                          the benchmark harness (autocannon against the server)
#   test/container/clean-build.test.ts     the Dockerfile's steps in a copy of the tree
# Also out of test:fast (in test:node-lines: they are Node's business), as they start real processes
# or servers other than the app:
#   test/mailin/imap.test.ts               IMAP against a real dovecot
#   test/mailin/pipe.test.ts               `deskbell mail receive` as a process, mail after mail
#   test/cli.test.ts, test/ops/{backup,logs,upgrade}.test.ts   the CLI and `deskbell serve` as processes
#   test/search/paused-triggers.test.ts    a `deskbell demo` killed half-way, then `deskbell serve`
#   test/mailin/startup-order.test.ts      `deskbell serve` with its SMTP receiver, started as a process
#   test/container/**                      the Dockerfile
#   and, with DESKBELL_TEST_FAST=1, the pipe half of the mail-trust stories (test/mailin/trust-helpers.ts)
#
#   npm run test:pg          the whole suite on PostgreSQL, browser tests included (DESKBELL_TEST_DB=postgres,
#                            test/helpers/database.ts: a database per desk, and per browser-test server, on
#                            DESKBELL_TEST_PG, default postgres://postgres@127.0.0.1:5432, dropped after).
#                            Tests SQLite-only by nature (file backups, snapshots, WAL, crash and load tests
#                            over the file, the single executable, the benchmark) report a skip with their reason.
#
# The tests run from their .ts files through test/helpers/ts-loader.mjs (esbuild, a file at a time)
# rather than tap's ts-node, which spends about two CPU-seconds per test file compiling src/ again.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-}"
shift || true

exclude=(
  'test/e2e/**'
  'test/**/browser.test.ts'
  'test/ops/binary.test.ts'
  'test/reliability/**'
  'test/bench/**'
  'test/container/clean-build.test.ts'
)
case "$mode" in
  fast)
    exclude+=(
      'test/mailin/imap.test.ts'
      'test/mailin/pipe.test.ts'
      'test/cli.test.ts'
      'test/ops/backup.test.ts'
      'test/ops/logs.test.ts'
      'test/ops/upgrade.test.ts'
      'test/search/paused-triggers.test.ts'
      'test/mailin/startup-order.test.ts'
      'test/container/**'
    )
    export DESKBELL_TEST_FAST=1
    echo "test:fast on Node $(node --version)"
    ;;
  node-lines)
    echo "test:node-lines on Node $(node --version)"
    npm run build --silent
    ;;
  pg)
    exclude=()
    export DESKBELL_TEST_DB=postgres
    echo "test:pg on Node $(node --version), PostgreSQL at ${DESKBELL_TEST_PG:-postgres://postgres@127.0.0.1:5432/postgres}"
    npm run build --silent
    ;;
  *)
    echo "usage: $0 fast|node-lines|pg [TAP OPTIONS]" >&2
    exit 2
    ;;
esac

args=()
for pattern in "${exclude[@]}"; do args+=("--exclude=$pattern"); done
# The esbuild loader needs module.registerHooks (Node 22.15+); older Nodes keep tap's ts-node.
if node -e 'process.exit(typeof require("node:module").registerHooks === "function" ? 0 : 1)'; then
  export TAP_TYPE_STRIP_ONLY=1
  args+=('--node-arg=--import=./test/helpers/ts-loader.mjs' '--node-arg=--enable-source-maps')
fi
exec npx tap "${args[@]}" "$@"
