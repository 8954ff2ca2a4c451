// Runs the GraphQL-over-HTTP server audits of `graphql-http` against a running endpoint.
//
// Usage: node audit.mjs http://127.0.0.1:4000/graphql
//
// With AUDIT_BEARER_TOKEN set, every request carries `Authorization: Bearer <token>` (for an
// endpoint behind a token check, such as the one-process app's router).
//
// Prints one line per audit, then a summary line that counts MUST audits only:
//
//     graphql-http audit: N passed, N failed
//
// followed by the number of SHOULD and MAY audits that did not pass. Exits with status 1 when a
// MUST audit fails, and with status 2 when the arguments are wrong or the server cannot be reached.

import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql endpoint url>');
  process.exit(2);
}

const results = await runAudits(url);
printResults(results);
const failedMust = printSummary(results);
process.exit(failedMust > 0 ? 1 : 0);

async function runAudits(endpoint) {
  try {
    return await auditServer({ url: endpoint, fetchFn: withToken(process.env.AUDIT_BEARER_TOKEN) });
  } catch (error) {
    console.error(`the audit could not run against ${endpoint}: ${error}`);
    process.exit(2);
  }
}

function withToken(token) {
  if (!token) return fetch;
  return (input, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${token}`);
    return fetch(input, { ...init, headers });
  };
}

function levelOf(result) {
  return result.name.split(' ', 1)[0];
}

function printResults(results) {
  for (const result of results) {
    const reason = result.status === 'ok' ? '' : ` (${result.reason})`;
    console.log(`${result.status.padEnd(6)} ${result.id} ${result.name}${reason}`);
  }
}

function printSummary(results) {
  const must = results.filter((result) => levelOf(result) === 'MUST');
  const passed = must.filter((result) => result.status === 'ok').length;
  const failed = must.length - passed;
  const notPassed = (level) =>
    results.filter((result) => levelOf(result) === level && result.status !== 'ok').length;

  console.log('');
  console.log(`graphql-http audit: ${passed} passed, ${failed} failed`);
  console.log(`warnings: ${notPassed('SHOULD')} SHOULD, ${notPassed('MAY')} MAY not passed`);
  return failed;
}
