// Lists the resource types of the synthesized templates, with how many of each every stage has,
// and the fixed monthly cost at idle of the types that have one, so the README's table is derived
// from the templates rather than guessed.
// Usage: node scripts/idle-cost.mjs [cdk.out]   (run `npm run synth` first)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

// US East (N. Virginia) list prices, USD per resource per month, with nothing running through it.
// Everything not listed costs nothing at idle (it is billed per request, per GB or per second).
const IDLE_USD = {
  'AWS::WAFv2::WebACL': [5, 'web ACL'],
  'AWS::CloudWatch::Alarm': [0.1, 'standard-resolution alarm'],
  'AWS::CloudWatch::Dashboard': [3, 'dashboard (the first 3 per account are free)'],
  'AWS::SecretsManager::Secret': [0.4, 'secret'],
  'AWS::Route53::HostedZone': [0.5, 'hosted zone'],
  'AWS::KMS::Key': [1, 'customer managed key'],
};
// A web ACL also pays $1 a month per rule or managed rule group it holds.
const WAF_RULE_USD = 1;

function templates(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...templates(path));
    else if (name.endsWith('.template.json')) found.push(path);
  }
  return found;
}

const dir = resolve(process.argv[2] ?? 'cdk.out');
const byStage = new Map();
for (const path of templates(dir)) {
  const stage = path
    .slice(dir.length + 1)
    .split('/')[0]
    .replace(/^assembly-/, '');
  const counts = byStage.get(stage) ?? new Map();
  const resources = JSON.parse(readFileSync(path, 'utf8')).Resources ?? {};
  for (const resource of Object.values(resources)) {
    counts.set(resource.Type, (counts.get(resource.Type) ?? 0) + 1);
    if (resource.Type === 'AWS::WAFv2::WebACL') counts.set('WAF rules', (counts.get('WAF rules') ?? 0) + resource.Properties.Rules.length);
  }
  byStage.set(stage, counts);
}

const stages = [...byStage.keys()].sort();
const types = [...new Set(stages.flatMap((s) => [...byStage.get(s).keys()]))].sort();
console.log(`| resource type | ${stages.join(' | ')} | fixed monthly cost at idle |`);
console.log(`|---|${stages.map(() => '---:').join('|')}|---|`);
for (const type of types) {
  const price = type === 'WAF rules' ? [WAF_RULE_USD, 'rule in a web ACL'] : IDLE_USD[type];
  const cost = price ? `$${price[0]} per ${price[1]}` : 'none';
  console.log(`| ${type} | ${stages.map((s) => byStage.get(s).get(type) ?? 0).join(' | ')} | ${cost} |`);
}
const totals = stages.map((stage) => {
  let usd = 0;
  for (const [type, count] of byStage.get(stage)) {
    const price = type === 'WAF rules' ? WAF_RULE_USD : IDLE_USD[type]?.[0];
    if (price) usd += price * count;
  }
  return `$${usd.toFixed(2)}`;
});
console.log(`| **total fixed per month** | ${totals.join(' | ')} | |`);
