#!/usr/bin/env bash
# Checks that Lambda binaries need no glibc newer than Amazon Linux 2023's (2.34).
#
# Usage: infra/scripts/check-glibc.sh [artifacts-dir]   (default: the build script's x86_64 output)
# Reads each bootstrap's dynamic symbol versions (objdump -T) and fails when one needs more.
set -euo pipefail

dir="${1:-${STACK_CACHE_DIR:-$HOME/.cache/the-stack}/lambda-assets/x86_64}"
limit="${STACK_LAMBDA_GLIBC:-2.34}"
status=0
found=0
while IFS= read -r -d '' binary; do
  found=$((found + 1))
  newest="$(objdump -T "$binary" | grep -Eo 'GLIBC_[0-9]+(\.[0-9]+)+' | sed 's/GLIBC_//' | sort -uV | tail -1)"
  if [ -z "$newest" ]; then
    echo "$binary: links no glibc symbol (static)"
  elif [ "$(printf '%s\n%s\n' "$newest" "$limit" | sort -V | tail -1)" = "$limit" ]; then
    echo "$binary: newest glibc symbol version $newest <= $limit: ok"
  else
    echo "$binary: needs glibc $newest, newer than $limit" >&2
    status=1
  fi
done < <(find "$dir" -name bootstrap -type f -print0)
[ "$found" -gt 0 ] || { echo "no bootstrap under $dir" >&2; exit 1; }
exit "$status"
