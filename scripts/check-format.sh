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
bad=()
checked=0
for f in "${files[@]}"; do
  [ -n "${skip[$f]+set}" ] && continue
  checked=$((checked + 1))
  "$clang_format" --style=file --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  printf 'check-format: clang-format would change %d file(s) (fix with: %s --style=file -i FILE):\n' \
    "${#bad[@]}" "$clang_format"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "check-format: $checked files clean (${#skip[@]} pending the one-time scripts/check-format.sh --fix)"
