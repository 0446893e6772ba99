#!/usr/bin/env bash
# clang-format (.clang-format) for every C++ file of the project; run by ctest (format.clang_format).
#   scripts/check-format.sh         list the files clang-format would change, exit 1 if there is any
#   scripts/check-format.sh --fix   reformat every file in place and empty scripts/format-pending.txt
# Files listed in scripts/format-pending.txt predate the check and are skipped until the one-time --fix.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
clang_format="${CLANG_FORMAT:-$(command -v clang-format-14 || command -v clang-format || true)}"
[ -n "$clang_format" ] || { echo "check-format: clang-format (14) not found" >&2; exit 2; }
pending=scripts/format-pending.txt

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files -co --exclude-standard -- '*.cc' '*.h' | while read -r f; do [ -f "$f" ] && echo "$f"; done)
else
  mapfile -t files < <(find src include tests bench fuzz -name '*.cc' -o -name '*.h' | sort)
fi

if [ "${1:-}" = "--fix" ]; then
  "$clang_format" --style=file -i "${files[@]}"
  : > "$pending"
  echo "check-format: reformatted ${#files[@]} files; $pending emptied"
  exit 0
fi

declare -A skip=()
if [ -f "$pending" ]; then
  while IFS= read -r f; do [ -n "$f" ] && skip[$f]=1; done < <(grep -v '^#' "$pending")
fi
checked_files=()
for f in "${files[@]}"; do
  [ -n "${skip[$f]+set}" ] && continue
  checked_files+=("$f")
done
checked=${#checked_files[@]}
# One clang-format process for all the files (one per file spent nearly all its time starting up: 65 s against
# 3 s): it names each file it would change in a "FILE:LINE:COL: error: code should be clang-formatted" line.
bad=()
if [ "$checked" -gt 0 ]; then
  report="$("$clang_format" --style=file --dry-run --Werror "${checked_files[@]}" 2>&1 >/dev/null)" && status=0 || status=$?
  mapfile -t bad < <(printf '%s\n' "$report" | sed -n 's/^\(.*\):[0-9][0-9]*:[0-9][0-9]*: error: code should be clang-formatted.*/\1/p' | sort -u)
  if [ "$status" -ne 0 ] && [ ${#bad[@]} -eq 0 ]; then
    printf 'check-format: %s failed without naming a file:\n%s\n' "$clang_format" "$report" >&2
    exit 2
  fi
fi
if [ ${#bad[@]} -gt 0 ]; then
  printf 'check-format: clang-format would change %d file(s) (fix with: %s --style=file -i FILE):\n' \
    "${#bad[@]}" "$clang_format"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "check-format: $checked files clean (${#skip[@]} pending the one-time scripts/check-format.sh --fix)"
