#!/usr/bin/env bash
# `scripts/test-subset.sh all|fast|node-lines|pg [TAP OPTIONS]`: the suite, or the parts of it
# that leave something out.
#
#   npm test                 (all) everything, browser tests included, after the build and the type check.
#   npm run test:fast        the domain and HTTP tests, for every change while you work. No build, no
#                            type check.
#   npm run test:node-lines  what shows Deskbell works on the Node first on the PATH: .ci/run runs
#                            the whole suite (`npm test`) on Node 26 and this on Node 22 and 24, over
#                            the same node_modules (better-sqlite3's prebuilt addon is Node-API). It is
#                            the part of the suite where the runtime shows: the SQLite addon and its
#                            checkpointer worker (db), the domain and its HTTP pages (kernel, tickets,
#                            portal, auth, attachments' streams, api), mail in and out over sockets
#                            (mail, mailin with dovecot, notify), jobs, SSE (live), OpenID's fetch and
#                            crypto (sso), Intl's time and list formats (web, i18n), and the CLI and
#                            `deskbell serve` as processes (cli, ops, bin). The features built on the
#                            same verbs (admin, views, search, rules, reports...) run on Node 26 only.
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
#   test/cli.test.ts, test/ops/{backup,logs,startup,upgrade}.test.ts   the CLI and `deskbell serve` as processes
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
node_lines=()
for folder in db kernel tickets portal auth attachments api mail mailin notify jobs live sso web ops bin; do
  for file in test/"$folder"/*.test.ts; do
    # The single executable embeds its own Node 26; browser tests run on Node 26 only.
    [[ "$file" == test/ops/binary.test.ts || "$file" == */browser.test.ts ]] || node_lines+=("$file")
  done
done
node_lines+=(test/i18n.test.ts test/cli.test.ts)

case "$mode" in
  all)
    exclude=()
    ;;
  fast)
    exclude+=(
      'test/mailin/imap.test.ts'
      'test/mailin/pipe.test.ts'
      'test/cli.test.ts'
      'test/ops/backup.test.ts'
      'test/ops/logs.test.ts'
      'test/ops/startup.test.ts'
      'test/ops/upgrade.test.ts'
      'test/search/paused-triggers.test.ts'
      'test/mailin/startup-order.test.ts'
      'test/container/**'
    )
    export DESKBELL_TEST_FAST=1
    echo "test:fast on Node $(node --version)"
    ;;
  node-lines)
    echo "test:node-lines on Node $(node --version): ${node_lines[*]}"
    npm run build --silent
    set -- "$@" "${node_lines[@]}"
    ;;
  pg)
    exclude=()
    export DESKBELL_TEST_DB=postgres
    echo "test:pg on Node $(node --version), PostgreSQL at ${DESKBELL_TEST_PG:-postgres://postgres@127.0.0.1:5432/postgres}"
    npm run build --silent
    ;;
  *)
    echo "usage: $0 all|fast|node-lines|pg [TAP OPTIONS]" >&2
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
