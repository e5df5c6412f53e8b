#!/usr/bin/env bash
# Writes every output npg makes from the committed fixtures under one folder, so that two
# builds can be compared byte for byte (scripts/same-outputs.sh does the comparing).
#
#   scripts/outputs.sh NPG_BINARY OUT_DIR
#
# OUT_DIR gets, for each command run, <name>.stdout and <name>.rc, the files the command
# wrote under files/, and what it printed to stderr under stderr/ (kept apart: messages for
# a command that cannot run may change wording without any output file changing).
# Everything runs from a scratch copy of fixtures/ with relative paths, so no output names
# the folder it was made in.
set -uo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 NPG_BINARY OUT_DIR" >&2
  exit 2
fi
npg=$(realpath "$1")
repo=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$2"
out=$(realpath "$2")
if [ -n "$(ls -A "$out")" ]; then
  echo "$out is not empty" >&2
  exit 2
fi
mkdir -p "$out/stderr" "$out/files"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$repo/fixtures" "$work/fixtures"
cd "$work" || exit 2

# run NAME ARGS...: runs npg, keeping stdout, stderr and the exit code under NAME.
run() {
  local name=$1
  shift
  "$npg" "$@" >"$out/$name.stdout" 2>"$out/stderr/$name.stderr"
  echo $? >"$out/$name.rc"
}

cycle=fixtures/2025-26
mkdir -p templates allocations refused

# The main job: the whole fixture year, then re-run over the same folder.
run pay-Q1-Q4 pay --cycle $cycle --quarter Q1-Q4 --out runs
run pay-Q1-Q4-again pay --cycle $cycle --quarter Q1-Q4 --out runs --overwrite
run pay-Q2-refused pay --cycle $cycle --quarter Q2 --out runs
run audit-verify-all audit verify runs --cycle $cycle
run audit-verify-Q3 audit verify runs/2025-26-Q3 --cycle $cycle

# The reconciliation of every month of the year.
for month in 2025-04 2025-05 2025-06 2025-07 2025-08 2025-09 2025-10 2025-11 2025-12 \
  2026-01 2026-02 2026-03; do
  run "reconcile-$month" reconcile --cycle $cycle --month $month --out reconciliations
done

# Validation of the fixture year's returns, with and without the cycle, in both formats.
for format in text json; do
  run "validate-year-cycle-$format" validate --cycle $cycle $cycle/returns $cycle/allocations.xlsx $cycle/weights.xlsx --format $format
  run "validate-year-alone-$format" validate $cycle/returns --format $format
done
for file in $(cd $cycle/returns && find . -type f | sort); do
  name=$(echo "$file" | sed 's|^\./||; s|/|_|g')
  run "validate-return-$name-json" validate --cycle $cycle --format json "$cycle/returns/$file"
done

# One case per finding code, with and without the cycle, in both formats.
for case in $(cd fixtures/findings && ls | sort); do
  for format in text json; do
    (cd fixtures/findings && run "findings-$case-alone-$format" validate --format $format $(ls -d "$case"/* | grep -v expected.txt))
    (cd fixtures/findings && run "findings-$case-cycle-$format" validate --cycle ../2025-26 --format $format $(ls -d "$case"/* | grep -v expected.txt))
  done
done

# The reader's regression cases: sample workbooks in each format and the fuzzers' finds.
for format in text json; do
  run "read-cases-$format" validate --format $format fixtures/read
done
for file in $(cd fixtures/read && find . -type f -name '*.xls*' -o -type f -name '*.ods' | sort); do
  name=$(echo "$file" | sed 's|^\./||; s|/|_|g')
  run "read-case-$name" validate --format json "fixtures/read/$file"
done

# Templates of each kind, and the allocations from the weights.
run template-plan template plan --cycle $cycle --force kent -o templates/kent-plan-v1.xlsx
run template-monitoring template monitoring --cycle $cycle --force kent --month 2025-09 -o templates/kent-2025-09.xlsx
run template-monitoring-blank template monitoring --cycle $cycle --force city-of-london -o templates/city-of-london-monitoring.xlsx
run template-finance template finance --cycle $cycle --force north-wales --quarter Q2 -o templates/north-wales-2025-26-Q2-v1.xlsx
run template-finance-blank template finance --cycle $cycle --force essex -o templates/essex-finance.xlsx
run allocate-pound allocate --weights $cycle/weights.xlsx --pot 200000000.00 -o allocations/pound.xlsx
run allocate-penny allocate --weights $cycle/weights.xlsx --pot 200000000.00 --unit penny -o allocations/penny.xlsx

# Commands that cannot run: their exit codes (and, under stderr/, their messages).
run bad-quarter pay --cycle $cycle --quarter Q5 --out refused
run bad-range pay --cycle $cycle --quarter Q3-Q1 --out refused
run bad-month reconcile --cycle $cycle --month 2025-13 --out refused
run bad-pot allocate --weights $cycle/weights.xlsx --pot 12abc -o refused/a.xlsx
run bad-unit allocate --weights $cycle/weights.xlsx --pot 100 --unit shilling -o refused/a.xlsx
run bad-force template finance --cycle $cycle --force kentt -o refused/t.xlsx
run no-cycle pay --cycle no-such-folder --quarter Q1 --out refused
run missing-file validate no-such-file.xlsx

mv runs reconciliations templates allocations "$out/files/"
mv refused "$out/files/"
exit 0
