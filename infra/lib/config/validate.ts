import { AccountTarget, OrganisationConfig, StageConfig } from './types';

/** Throws when `value` is not a whole number in `[min, max]`, naming the setting and the value received. */
export function requireIntegerInRange(setting: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${setting} must be a whole number from ${min} to ${max}, got ${value}`);
  }
}

/** Throws when `value` is not one of `allowed`, listing them. */
export function requireOneOf<T>(setting: string, value: T, allowed: readonly T[]): void {
  if (!allowed.includes(value)) {
    throw new Error(`${setting} must be one of ${allowed.join(', ')}, got ${String(value)}`);
  }
}

/** Throws when `value` does not match `pattern`, describing the expected form. */
export function requireMatch(setting: string, value: string, pattern: RegExp, expected: string): void {
  if (!pattern.test(value)) {
    throw new Error(`${setting} must be ${expected}, got '${value}'`);
  }
}

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

function validateTarget(setting: string, target: AccountTarget): void {
  requireMatch(`${setting}.accountId`, target.accountId, /^\d{12}$/, 'twelve digits');
  requireMatch(`${setting}.region`, target.region, /^[a-z]{2}(-[a-z]+)+-\d$/, 'a region such as eu-west-1');
}

/** Checks one stage up front, so a typo fails synth with a message instead of a broken deployment. */
export function validateStage(stage: StageConfig): void {
  const at = `stage '${stage.name}'`;
  requireMatch(`${at}: name`, stage.name, /^[a-z][a-z0-9-]{1,19}$/, '2 to 20 of a-z 0-9 - starting with a letter');
  validateTarget(`${at}: target`, stage.target);
  requireOneOf(`${at}: logRetentionDays`, stage.logRetentionDays, LOG_RETENTION_DAYS);
  requireOneOf(`${at}: lambdaArchitecture`, stage.lambdaArchitecture, ['arm64', 'x86_64'] as const);
  requireIntegerInRange(`${at}: wafRateLimitPer5Minutes`, stage.wafRateLimitPer5Minutes, 10, 2_000_000_000);
  requireIntegerInRange(`${at}: authorizerCacheTtlSeconds`, stage.authorizerCacheTtlSeconds, 0, 3600);
  requireIntegerInRange(`${at}: apiThrottleRatePerSecond`, stage.apiThrottleRatePerSecond, 1, 10_000);
  requireIntegerInRange(`${at}: apiThrottleBurst`, stage.apiThrottleBurst, 1, 5_000);
  requireIntegerInRange(`${at}: uploadExpiryDays`, stage.uploadExpiryDays, 1, 3650);
  if (stage.kind === 'production-single-tenant' && !stage.tenant) {
    throw new Error(`${at}: a production-single-tenant stage needs a tenant, got none`);
  }
  if (stage.kind.startsWith('production') && !stage.retainData) {
    throw new Error(`${at}: production stages must retain data, got retainData=false`);
  }
  const indexNames = stage.table.indexes.map((index) => index.indexName);
  if (new Set(indexNames).size !== indexNames.length) {
    throw new Error(`${at}: table index names must be unique, got ${indexNames.join(', ')}`);
  }
  requireIntegerInRange(`${at}: number of table indexes`, indexNames.length, 0, 20);
}

/** Checks the shared accounts and every stage, and that stage names are unique. */
export function validateOrganisation(config: OrganisationConfig): void {
  requireMatch('project', config.project, /^[a-z][a-z0-9-]{1,15}$/, '2 to 16 of a-z 0-9 - starting with a letter');
  validateTarget('shared.monitoring', config.shared.monitoring);
  validateTarget('shared.logs', config.shared.logs);
  requireMatch('shared.organizationId', config.shared.organizationId, /^o-[a-z0-9]{10,32}$/, 'an id such as o-abc123def4');
  const names = config.stages.map((stage) => stage.name);
  if (new Set(names).size !== names.length) {
    throw new Error(`stage names must be unique, got ${names.join(', ')}`);
  }
  config.stages.forEach(validateStage);
}
