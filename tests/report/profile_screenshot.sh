#!/usr/bin/env bash
# The problem profile in Debian's headless chromium (issue 14 goal): a small demo writes both versions; chromium
# takes a full-page screenshot of each and prints each to PDF. Fails when chromium cannot render the page, the
# screenshot is blank-sized or the PDF has fewer than 4 pages. The PNGs and PDFs stay in ARTIFACTS for a look.
# Usage: profile_screenshot.sh RISKRADAR_BINARY CHROMIUM ARTIFACTS_DIR
set -euo pipefail
bin="$1"
chromium="$2"
artifacts="$3"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$artifacts"
"$bin" demo --scale 0.05 --seed 11 --dir "$work/demo" >"$work/demo.log" 2>&1 || { cat "$work/demo.log"; exit 1; }
for version in profile profile-publishable; do
  html="$work/demo/$version/profile.html"
  test -s "$html" || { echo "missing $html"; exit 1; }
  png="$artifacts/$version.png"
  pdf="$artifacts/$version.pdf"
  rm -f "$png" "$pdf"
  common=(--headless=new --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-extensions
          --user-data-dir="$work/chromium-$version")
  timeout 120 "$chromium" "${common[@]}" --window-size=1100,5000 --screenshot="$png" "file://$html" \
    >"$work/shot.log" 2>&1 || { cat "$work/shot.log"; exit 1; }
  timeout 120 "$chromium" "${common[@]}" --no-pdf-header-footer --print-to-pdf="$pdf" "file://$html" \
    >"$work/pdf.log" 2>&1 || { cat "$work/pdf.log"; exit 1; }
  png_bytes=$(stat -c %s "$png")
  pages=$(grep -a -c "/Type /Page$\|/Type /Page[^s]" "$pdf" || true)
  echo "$version: screenshot $png_bytes bytes, PDF $pages pages ($artifacts)"
  [ "$png_bytes" -gt 40000 ] || { echo "screenshot too small: the page did not render"; exit 1; }
  [ "$pages" -ge 4 ] || { echo "the PDF has $pages pages (expected the whole profile, 4 or more)"; exit 1; }
done
grep -q 'Publishable version' "$work/demo/profile-publishable/profile.html"
