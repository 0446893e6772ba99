#!/usr/bin/env bash
# Checks every #include in src/ and include/ against the stage layering; run by every build (cmake/Stages.cmake).
#   scripts/check-layering.sh ROOT LAYERS
# ROOT holds src/<stage>/ and include/riskradar/<stage>/; LAYERS has one line per stage, "stage: dep dep ...",
# the stages it may use directly (written by CMake from the riskradar_stage() calls). A stage may include its
# own headers and those of every stage below it (transitively). Private headers (quoted includes other than
# "riskradar/...") must belong to the including file's own stage folder, and a public header may include
# only public headers. Prints "file:line: error: ..." for each violation and exits 1 if there is any.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 ROOT LAYERS" >&2
  exit 2
fi
root="$(cd "$1" && pwd)"
layers="$2"
[ -r "$layers" ] || { echo "$layers: cannot read the layer table" >&2; exit 2; }

declare -A direct=()
order=()
while IFS= read -r line; do
  [[ "$line" =~ ^[[:space:]]*$ ]] && continue
  stage="${line%%:*}"
  stage="${stage//[[:space:]]/}"
  direct[$stage]="${line#*:}"
  order+=("$stage")
done < "$layers"

# allowed[stage] = " stage dep ... " (transitive closure); a stage reachable from itself is a cycle.
declare -A allowed=()
status=0
for stage in "${order[@]}"; do
  seen=" "
  todo=(${direct[$stage]})
  while [ ${#todo[@]} -gt 0 ]; do
    dep="${todo[0]}"
    todo=("${todo[@]:1}")
    [[ "$seen" == *" $dep "* ]] && continue
    if [ "$dep" = "$stage" ]; then
      echo "$layers: error: the layering has a cycle through stage '$stage'"
      status=1
      continue
    fi
    if [ -z "${direct[$dep]+set}" ]; then
      echo "$layers: error: stage '$stage' depends on '$dep', which is not in the layer table"
      status=1
      continue
    fi
    seen+="$dep "
    todo+=(${direct[$dep]})
  done
  allowed[$stage]=" $stage${seen}"
done

violation() {  # file line message
  echo "${1#"$root"/}:$2: error: $3"
  status=1
}

# The stage a file belongs to, and whether it is a public header.
file_stage() {
  local rel="${1#"$root"/}"
  case "$rel" in
    src/*) rel="${rel#src/}"; stage="${rel%%/*}"; public=0 ;;
    include/riskradar/*) rel="${rel#include/riskradar/}"; stage="${rel%%/*}"; public=1 ;;
    *) stage=""; public=0 ;;
  esac
}

declare -A unknown_reported=()
files=()
for dir in "$root/src" "$root/include/riskradar"; do
  [ -d "$dir" ] && while IFS= read -r -d '' f; do files+=("$f"); done \
    < <(find "$dir" -type f \( -name '*.cc' -o -name '*.h' \) -print0 | sort -z)
done
[ ${#files[@]} -gt 0 ] || { echo "$root: no sources under src/ or include/riskradar/" >&2; exit 2; }

while IFS= read -r hit; do
  file="${hit%%:*}"; rest="${hit#*:}"
  line="${rest%%:*}"; text="${rest#*:}"
  file_stage "$file"
  if [ -z "${allowed[$stage]+set}" ]; then
    if [ -z "${unknown_reported[$stage]+set}" ]; then
      violation "$file" "$line" "folder '$stage' is not a stage in the layer table ($layers)"
      unknown_reported[$stage]=1
    fi
    continue
  fi
  if [[ "$text" =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*[\"\<]riskradar/([^/\">]+)/ ]]; then
    target="${BASH_REMATCH[1]}"
    if [[ "${allowed[$stage]}" != *" $target "* ]]; then
      violation "$file" "$line" "stage '$stage' includes riskradar/$target/, which is not below it (layering: '$stage' may use:${allowed[$stage]% })"
    fi
  elif [[ "$text" =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\"([^\"]+)\" ]]; then
    included="$(realpath -m "$(dirname "$file")/${BASH_REMATCH[1]}")"
    if [ "$public" -eq 1 ]; then
      violation "$file" "$line" "public header of '$stage' includes the private header \"${BASH_REMATCH[1]}\" (public headers include only riskradar/... headers)"
    elif [[ "$included" != "$root/src/$stage/"* ]]; then
      violation "$file" "$line" "stage '$stage' includes \"${BASH_REMATCH[1]}\", a private header outside src/$stage/ (use the other stage's public header)"
    fi
  fi
done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*("|<riskradar/)' "${files[@]}" /dev/null || true)

exit $status
