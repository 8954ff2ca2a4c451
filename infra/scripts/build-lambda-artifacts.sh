#!/usr/bin/env bash
# Builds the Rust Lambda binaries as deployable artifacts with cargo-lambda and zig.
#
# Usage: infra/scripts/build-lambda-artifacts.sh [x86_64|arm64] [package ...]
#
# The binaries use the workspace's `lambda` profile (smallest code, whole-program optimisation).
# Lambda runs `provided.al2023`, whose glibc (2.34) is older than most build machines', so the
# binaries are linked by zig against glibc 2.34 rather than against the host's. Each binary lands
# in $STACK_LAMBDA_ASSETS/<binary>/bootstrap, the layout the CDK app reads (see infra/README.md).
#
# cargo-lambda and zig come from PyPI into a virtual environment under ~/.cache/the-stack; the
# build uses its own target directory there so it never waits on the workspace's cargo lock.
# Defaults: x86_64 (the only standard library on a plain x86_64 host) and the Lambda packages that
# exist so far (app-router, todo-service, media-service, and stack-app, whose Lambda binary is the
# authorizer; add each new Lambda binary's package here). Each package is built on its own, so a
# small binary such as the router does not get the features larger ones switch on in shared
# dependencies.
set -euo pipefail

# STACK_SOURCE_DIR builds another copy of the workspace, for example a `git archive` of a commit.
root="${STACK_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
cache="${STACK_CACHE_DIR:-$HOME/.cache/the-stack}"
arch="${1:-x86_64}"
shift || true
packages=("$@")
[ "${#packages[@]}" -gt 0 ] || packages=(app-router todo-service media-service stack-app)
glibc="${STACK_LAMBDA_GLIBC:-2.34}"

case "$arch" in
  x86_64) target="x86_64-unknown-linux-gnu" ;;
  arm64) target="aarch64-unknown-linux-gnu" ;;
  *) echo "architecture must be x86_64 or arm64, got '$arch'" >&2; exit 2 ;;
esac

venv="$cache/lambda-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check 'cargo-lambda==1.9.2' 'ziglang==0.14.1'
export PATH="$venv/bin:$PATH"

export CARGO_TARGET_DIR="${STACK_LAMBDA_TARGET_DIR:-$cache/lambda-target}"
out="${STACK_LAMBDA_ASSETS:-$cache/lambda-assets/$arch}"
mkdir -p "$out"

cd "$root"
for package in "${packages[@]}"; do
  cargo lambda build --profile lambda --target "$target.$glibc" --lambda-dir "$out" -p "$package"
done

echo "artifacts in $out:"
find "$out" -name bootstrap -printf '  %P (%s bytes)\n'
