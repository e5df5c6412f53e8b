#!/usr/bin/env bash
# Seeds each fuzz target's corpus (fuzz/corpus/<target>/) from the project's fixtures: the
# reader's own samples, and a few returns of the fixture year (saved by LibreOffice as .ods
# and .xls when soffice is installed). Run from anywhere; the corpora are not committed.
set -euo pipefail
cd "$(dirname "$0")"
root=..
mkdir -p corpus/read_xlsx corpus/read_xls corpus/read_ods
cp "$root"/fixtures/read/*.xlsx corpus/read_xlsx/
cp "$root"/fixtures/read/*.xls corpus/read_xls/
cp "$root"/fixtures/read/*.ods corpus/read_ods/
returns=(
  "$root"/fixtures/2025-26/returns/plans/kent-plan-v1.xlsx
  "$root"/fixtures/2025-26/returns/monitoring/kent-2025-09.xlsx
  "$root"/fixtures/2025-26/returns/finance/kent-2025-26-Q2-v1.xlsx
  "$root"/fixtures/2025-26/allocations.xlsx
)
for file in "${returns[@]}"; do
  [ -f "$file" ] && cp "$file" corpus/read_xlsx/
done
if command -v soffice >/dev/null 2>&1; then
  profile=$(mktemp -d)
  for file in "${returns[@]}"; do
    [ -f "$file" ] || continue
    soffice -env:UserInstallation=file://"$profile" --headless --convert-to ods "$file" --outdir corpus/read_ods >/dev/null 2>&1 || true
    soffice -env:UserInstallation=file://"$profile" --headless --convert-to 'xls:MS Excel 97' "$file" --outdir corpus/read_xls >/dev/null 2>&1 || true
  done
  rm -rf "$profile"
fi
ls corpus/* | head -50
