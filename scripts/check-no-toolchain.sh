#!/usr/bin/env bash
# `npm ci` needs no C/C++ toolchain (issue 16): the lock file's packages are installed in a scratch
# folder with a PATH that holds Node, npm and a shell, and no python, make or compiler; then the
# SQLite addon must load, and it must be better-sqlite3's prebuilt one. Fails on any of it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$root/package.json" "$root/package-lock.json" "$root/.npmrc" "$work/"
mkdir "$work/bin"
for tool in sh bash env uname cat rm mkdir mv cp ln chmod; do ln -s "$(command -v "$tool")" "$work/bin/$tool"; done
ln -s "$(command -v npm)" "$work/bin/npm"
path="$(dirname "$(command -v node)"):$work/bin"
for tool in python3 python make cc gcc g++ c++ clang; do
  if PATH="$path" command -v "$tool" >/dev/null 2>&1; then echo "check-no-toolchain: $tool is on the scratch PATH" >&2; exit 1; fi
done
cd "$work"
PATH="$path" npm ci --no-audit --no-fund --loglevel=error
compiled="$(find node_modules -name '*.o' -o -name '*.node' -path '*/build/*' | head -5)"
if [ -n "$compiled" ]; then echo "check-no-toolchain: something was compiled: $compiled" >&2; exit 1; fi
PATH="$path" node -e "
  const db = new (require('better-sqlite3'))(':memory:');
  const { v } = db.prepare('select sqlite_version() as v').get();
  const addon = Object.keys(require.cache).find((f) => f.endsWith('.node'));
  if (!addon || !addon.includes('/prebuilds/')) { console.error('check-no-toolchain: not the prebuilt addon: ' + addon); process.exit(1); }
  console.log('npm ci with no toolchain on PATH: SQLite ' + v + ' from ' + addon.slice(addon.indexOf('node_modules')));"
