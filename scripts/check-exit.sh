#!/usr/bin/env bash
# `scripts/check-exit.sh [RUNS]`: with the Node first on the PATH, run the real `deskbell` command
# the way an operator does and fail on any non-zero exit:
#   - `deskbell demo --tickets 100` RUNS times (default 5), each on a fresh DATA_DIR;
#   - `deskbell serve` twice over the last of those (a start, then a restart over existing data):
#     wait for it to listen, load a few pages, send SIGTERM, and expect exit code 0.
# Why a script and not a test in one process: the failures it looks for happen when a process
# ends. With better-sqlite3 12, Node 24 aborted in Statement's finalizer on `deskbell demo`
# ("Assertion failed: (env) != nullptr", exit 134) after the work had been done and printed.
# .ci/run runs it on Node 24 and 26. Needs `npm run build` first.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-5}"
tickets=100
bin="$root/bin/deskbell.js"
[ -f "$root/dist/src/cli.js" ] || { echo "check-exit: run \`npm run build\` first" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/deskbell-check-exit.XXXXXX")"
server=""
cleanup() { [ -n "$server" ] && kill -KILL "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
node="Node $(node --version)"

fail() {
  echo "check-exit ($node): $1" >&2
  [ -f "${2:-}" ] && sed 's/^/  | /' "$2" >&2
  exit 1
}

for i in $(seq 1 "$runs"); do
  data="$work/demo-$i"
  code=0
  DATA_DIR="$data" LOG_LEVEL=warn node "$bin" demo --tickets "$tickets" >"$data.log" 2>&1 || code=$?
  [ "$code" -eq 0 ] || fail "deskbell demo (run $i of $runs) exited with $code" "$data.log"
  grep -q "^Demo data added: $tickets tickets" "$data.log" || fail "deskbell demo (run $i) printed no summary" "$data.log"
done
echo "check-exit ($node): deskbell demo --tickets $tickets exited 0, $runs times"

for start in first restart; do
  log="$work/serve-$start.log"
  DATA_DIR="$data" PORT=0 LOG_FORMAT=json LOG_LEVEL=info node "$bin" serve >"$log" 2>&1 &
  server=$!
  url=""
  for _ in $(seq 1 300); do
    url="$(grep -o 'Server listening at http://[0-9.:]*' "$log" | head -n 1 | sed 's/^Server listening at //' || true)"
    [ -n "$url" ] && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$url" ] || fail "deskbell serve ($start) did not listen within 30 s" "$log"
  # A few requests that touch the database (prepared statements live until the process ends).
  node -e '
    const base = process.argv[1];
    const want = { "/healthz": 200, "/login": 200, "/portal": 303, "/no-such-page": 404 };
    (async () => {
      for (const [path, status] of Object.entries(want)) {
        const response = await fetch(base + path, { redirect: "manual" });
        if (response.status !== status) throw new Error(`${path}: ${response.status}, expected ${status}`);
      }
    })().catch((error) => { console.error(error.message); process.exit(1); });
  ' "$url" || fail "deskbell serve ($start) answered wrongly" "$log"
  kill -TERM "$server"
  code=0
  wait "$server" || code=$?
  server=""
  [ "$code" -eq 0 ] || fail "deskbell serve ($start) exited with $code after SIGTERM" "$log"
done
echo "check-exit ($node): deskbell serve, then SIGTERM, exited 0 (start and restart)"
