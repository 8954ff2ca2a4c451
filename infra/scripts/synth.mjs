// Synthesizes every stage into cdk.out without the CDK CLI: compiles the app with tsc and runs
// it. No AWS account, no context lookups, no network.
// Usage: node scripts/synth.mjs [outdir]   (default: cdk.out)
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const outdir = resolve(process.argv[2] ?? join(root, 'cdk.out'));
execFileSync(join(root, 'node_modules', '.bin', 'tsc'), [], { cwd: root, stdio: 'inherit' });
execFileSync(process.execPath, [join(root, 'dist', 'bin', 'app.js')], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, CDK_OUTDIR: outdir, CDK_DISABLE_CLI_TELEMETRY: 'true' },
});
console.log(`synthesized into ${outdir}`);
