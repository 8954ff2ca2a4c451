import { ORGANISATION, organisationFor, previewStage } from '../lib/config/stages';
import { validateOrganisation, validateStage } from '../lib/config/validate';
import { RustFunction } from '../lib/constructs/rust-function';
import { BuiltArtifacts, PlaceholderArtifacts } from '../lib/constructs/artifacts';
import { App, Stack } from 'aws-cdk-lib';

describe('stage configuration', () => {
  test('given the shipped organisation, then it is valid', () => {
    expect(() => validateOrganisation(ORGANISATION)).not.toThrow();
  });

  test('given an unsupported log retention, then the error names the value and the allowed ones', () => {
    expect(() => validateStage({ ...previewStage(1), logRetentionDays: 10 })).toThrow(/logRetentionDays must be one of 1, 3, 5, .* got 10/);
  });

  test('given a single-tenant production stage without a tenant, then it is refused', () => {
    const stage = ORGANISATION.stages.find((s) => s.kind === 'production-single-tenant')!;
    expect(() => validateStage({ ...stage, tenant: undefined })).toThrow(/needs a tenant, got none/);
  });

  test('given a production stage that would delete its data, then it is refused', () => {
    const stage = ORGANISATION.stages.find((s) => s.kind === 'production')!;
    expect(() => validateStage({ ...stage, retainData: false })).toThrow(/must retain data, got retainData=false/);
  });

  test('given a malformed account id, then the error shows it', () => {
    expect(() => validateStage({ ...previewStage(1), target: { accountId: '123', region: 'us-east-1' } })).toThrow(
      /accountId must be twelve digits, got '123'/,
    );
  });

  test('given two stages with one name, then the organisation is refused', () => {
    expect(() => validateOrganisation({ ...ORGANISATION, stages: [previewStage(1), previewStage(1)] })).toThrow(
      /stage names must be unique, got pr-1, pr-1/,
    );
  });
});

describe('stages from the environment', () => {
  test('given STACK_PREVIEW_PR and STACK_DEVELOPER, then their stages are added with their names', () => {
    const names = organisationFor({ STACK_PREVIEW_PR: '42', STACK_DEVELOPER: 'ann' }).stages.map((stage) => stage.name);
    expect(names).toEqual(expect.arrayContaining(['pr-42', 'dev-ann']));
  });

  test('given a pull request that is not a number, then the error shows it', () => {
    expect(() => organisationFor({ STACK_PREVIEW_PR: '42; rm' })).toThrow("STACK_PREVIEW_PR must be a pull request number, got '42; rm'");
  });

  test('given a developer name that is not a valid stage name, then it is refused', () => {
    expect(() => organisationFor({ STACK_DEVELOPER: 'Ann Smith' })).toThrow(/name must be 2 to 20 of a-z 0-9 -/);
  });
});

describe('RustFunction props', () => {
  test('given a memory size out of range, then construction fails with the value and the range', () => {
    const stack = new Stack(new App(), 'Test');
    expect(
      () =>
        new RustFunction(stack, 'Fn', {
          binary: 'router',
          artifacts: new PlaceholderArtifacts(),
          architecture: 'arm64',
          logRetentionDays: 7,
          description: 'test',
          memorySizeMb: 64,
        }),
    ).toThrow('Fn: memorySizeMb must be a whole number from 128 to 10240, got 64');
  });
});

describe('Lambda artifacts', () => {
  test('given a directory without a binary, then asking for its code names the path expected and how to build it', () => {
    expect(() => new BuiltArtifacts('/nonexistent/lambda').code('router')).toThrow(
      'no Lambda artifact for router: expected /nonexistent/lambda/router/bootstrap (build with infra/scripts/build-lambda-artifacts.sh)',
    );
  });
});
