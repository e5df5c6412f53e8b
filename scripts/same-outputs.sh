#!/usr/bin/env bash
# Checks that this checkout's npg writes byte for byte what another commit's npg writes from
# the committed fixtures (every file, stdout and exit code of scripts/outputs.sh).
#
#   scripts/same-outputs.sh [COMMIT]     # COMMIT defaults to HEAD; compares the work tree
#
# Differences in what a command that cannot run prints to stderr are listed but do not fail
# the check; any other difference does (exit 1).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
base=${1:-HEAD}
scratch=$(mktemp -d)
trap 'git -C "$repo" worktree remove --force "$scratch/base" >/dev/null 2>&1 || true; rm -rf "$scratch"' EXIT

echo "== building $base"
git -C "$repo" worktree add --detach "$scratch/base" "$base" >/dev/null
(cd "$scratch/base" && cargo build --release --quiet --bin npg --target-dir "$repo/target/same-outputs")
cp "$repo/target/same-outputs/release/npg" "$scratch/npg-base"
echo "== building the work tree"
(cd "$repo" && cargo build --release --quiet --bin npg)

# The fixtures are the work tree's in both runs: the comparison is of the programs.
"$repo/scripts/outputs.sh" "$scratch/npg-base" "$scratch/before"
"$repo/scripts/outputs.sh" "$repo/target/release/npg" "$scratch/after"

echo "== comparing $(cd "$scratch/before" && find . -type f | wc -l) files"
if ! diff -r --brief --exclude=stderr "$scratch/before" "$scratch/after"; then
  echo "FAILED: the outputs differ from $base's"
  exit 1
fi
if ! diff -r "$scratch/before/stderr" "$scratch/after/stderr"; then
  echo "(stderr differs as listed above; stdout, exit codes and files are identical)"
fi
echo "OK: every output is byte for byte $base's"
