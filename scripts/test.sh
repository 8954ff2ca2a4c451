#!/usr/bin/env bash
# Runs every test of The Stack on a fresh machine.
#
# Installs what the tests need (moto in a virtual environment, the graphql-http audit from npm),
# starts moto on 127.0.0.1, checks formatting, lints and docs, runs the whole cargo test suite
# (the AWS conformance tests against moto), runs the GraphQL-over-HTTP audit against the locally
# served Todo service and through the one-process app's router, runs the CDK app's tests and
# lints the GitHub workflows (infra/), and stops everything it started.
#
# Compiled dependencies are cached outside the checkout (CARGO_TARGET_DIR, default
# ~/.cache/the-stack/target) so later runs reuse them.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${STACK_CACHE_DIR:-$HOME/.cache/the-stack}"
logs="$(mktemp -d)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$cache/target}"
export CARGO_TERM_COLOR=never
# A fresh checkout never reuses incremental state, which only fills the cache directory.
export CARGO_INCREMENTAL=0
cd "$root"

step() { printf '\n==> %s\n' "$*"; }

# Tests read real payloads from the shared fixtures next to the checkout.
if [ ! -d "$root/../shared/fixtures" ]; then
  echo "the shared fixtures are missing: expected $root/../shared/fixtures next to the checkout" >&2
  exit 1
fi

# --- The linker: mold when the machine has it (or can install it from Debian), else the default.
if [ "${CI:-}" = true ] && ! command -v mold >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  step "installing the mold linker"
  (apt-get install -y -qq mold >/dev/null 2>&1 || (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq mold >/dev/null 2>&1)) || true
fi
if command -v mold >/dev/null 2>&1; then
  export CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS="-C link-arg=-fuse-ld=mold"
fi

# --- AWS: static test credentials, a region, and no metadata lookups, ever.
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_LAMBDA_RUNTIME_API 2>/dev/null || true

# --- moto, in a virtual environment of its own.
venv="$cache/venv"
step "installing moto into $venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check 'moto[server]==5.2.5'

# --- The graphql-http audit, from npm.
step "installing the graphql-http audit"
(cd scripts/graphql-http-audit && npm ci --silent --no-audit --no-fund)

free_port() { "$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$logs" "${data_dir:-}" "${app_data_dir:-}"
}
trap cleanup EXIT

wait_for() { # url, name
  for _ in $(seq 1 100); do
    if "$venv/bin/python" -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "$1" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "$2 did not start at $1" >&2
  return 1
}

step "starting moto on 127.0.0.1"
moto_port="$(free_port)"
"$venv/bin/moto_server" -H 127.0.0.1 -p "$moto_port" >"$logs/moto.log" 2>&1 &
pids+=("$!")
wait_for "http://127.0.0.1:$moto_port/moto-api/" moto
export STACK_TEST_MOTO_URL="http://127.0.0.1:$moto_port"
export STACK_TEST_REQUIRE_MOTO=1

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "cargo test"
set +e
cargo test --workspace --no-fail-fast 2>&1 | tee "$logs/cargo-test.log"
cargo_status="${PIPESTATUS[0]}"
set -e

step "cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet

step "graphql-http audit against the local Todo service"
cargo build --quiet -p todo-service
app_port="$(free_port)"
data_dir="$(mktemp -d)"
PORT="$app_port" STACK_DATA_DIR="$data_dir" "$CARGO_TARGET_DIR/debug/todo-service" >"$logs/todo.log" 2>&1 &
pids+=("$!")
wait_for "http://127.0.0.1:$app_port/health" "the Todo service"
set +e
node scripts/graphql-http-audit/audit.mjs "http://127.0.0.1:$app_port/graphql" 2>&1 | tee "$logs/audit.log"
audit_status="${PIPESTATUS[0]}"
set -e

step "graphql-http audit through the one-process app's router, with a local token"
cargo build --quiet -p stack-app --bin stack-app
app_port="$(free_port)"
app_data_dir="$(mktemp -d)"
PORT="$app_port" STACK_DATA_DIR="$app_data_dir" "$CARGO_TARGET_DIR/debug/stack-app" >"$logs/app.log" 2>&1 &
pids+=("$!")
wait_for "http://127.0.0.1:$app_port/health" "the one-process app"
token="$("$venv/bin/python" - "http://127.0.0.1:$app_port/auth/dev-token" <<'PY'
import json, sys, urllib.request
request = urllib.request.Request(sys.argv[1], data=b'{"sub": "audit"}', headers={"content-type": "application/json"})
print(json.load(urllib.request.urlopen(request, timeout=5))["token"])
PY
)"
set +e
AUDIT_BEARER_TOKEN="$token" node scripts/graphql-http-audit/audit.mjs "http://127.0.0.1:$app_port/graphql" 2>&1 | tee "$logs/audit-app.log"
app_audit_status="${PIPESTATUS[0]}"
set -e

step "infra: CDK app tests (synth of every stage and module switch, assertions, cdk-nag) and workflow lint"
set +e
infra/scripts/test-infra.sh 2>&1 | tee "$logs/infra.log"
infra_status="${PIPESTATUS[0]}"
set -e

# Counting never stops the script: test runs that failed still reach the summary.
set +o pipefail
passed=$(grep -Eo 'test result: .* ([0-9]+) passed' "$logs/cargo-test.log" | grep -Eo '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
failed=$(grep -Eo '[0-9]+ failed;' "$logs/cargo-test.log" | awk '{s+=$1} END {print s+0}')
audit_count() { grep -Eo "audit: [0-9]+ passed, [0-9]+ failed" "$1" | grep -Eo "[0-9]+ $2" | grep -Eo '[0-9]+' || echo 0; }
audit_passed=$(($(audit_count "$logs/audit.log" passed) + $(audit_count "$logs/audit-app.log" passed)))
audit_failed=$(($(audit_count "$logs/audit.log" failed) + $(audit_count "$logs/audit-app.log" failed)))
[ "$cargo_status" = 0 ] || failed=$((failed > 0 ? failed : 1))
[ "$audit_status" = 0 ] && [ "$app_audit_status" = 0 ] || audit_failed=$((audit_failed > 0 ? audit_failed : 1))
infra_passed=$(grep -Eo '^Tests: .*[0-9]+ passed' "$logs/infra.log" | grep -Eo '[0-9]+ passed' | grep -Eo '[0-9]+' || echo 0)
infra_failed=$(grep -Eo '^Tests: .*[0-9]+ failed' "$logs/infra.log" | grep -Eo '[0-9]+ failed' | grep -Eo '[0-9]+' || echo 0)
[ "$infra_status" = 0 ] || infra_failed=$((infra_failed > 0 ? infra_failed : 1))

echo
echo "total: $((passed + audit_passed + infra_passed)) passed, $((failed + audit_failed + infra_failed)) failed"
[ "$cargo_status" = 0 ] && [ "$audit_status" = 0 ] && [ "$app_audit_status" = 0 ] && [ "$infra_status" = 0 ]
