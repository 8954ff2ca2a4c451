import { ModuleSwitches } from '../lib/config/types';
import { stageConfig, synthStage } from './support';

const everyTemplate = (synthesized: ReturnType<typeof synthStage>) =>
  JSON.stringify(synthesized.stage.stacks.map((stack) => synthesized.template(stack).toJSON()));

describe('switching a module off', () => {
  test.each<[keyof ModuleSwitches, string, string]>([
    ['media', 'Media', 'stack-int-media'],
    ['notify', 'Notify', 'stack-int-notify'],
    ['billing', 'Billing', '/webhooks/stripe'],
    ['async', 'Async', 'StreamPublisher'],
    ['frontends', 'Frontend', 'SignInCheck'],
  ])('given %s off, when synthesized, then its stack and every reference to it are gone and cdk-nag stays clean', (module, stackId, trace) => {
    const synthesized = synthStage(stageConfig('int', { [module]: false }));

    expect(synthesized.stage.stacks.map((stack) => stack.node.id)).not.toContain(stackId);
    expect(everyTemplate(synthesized)).not.toContain(trace);
    expect(synthesized.nagErrors()).toEqual([]);
  });

  test('given every module on, then each trace the test above looks for is there', () => {
    const synthesized = synthStage(stageConfig('int'));
    const all = everyTemplate(synthesized);

    for (const trace of ['stack-int-media', 'stack-int-notify', '/webhooks/stripe', 'StreamPublisher', 'SignInCheck']) expect(all).toContain(trace);
  });

  test('given every module off, when synthesized, then the core (edge, data, identity, API, monitoring) remains', () => {
    const synthesized = synthStage(stageConfig('int', { media: false, notify: false, billing: false, async: false, frontends: false }));

    expect(synthesized.stage.stacks.map((stack) => stack.node.id).sort()).toEqual(['AccessLogs', 'Api', 'Data', 'Edge', 'Identity', 'Monitoring']);
    expect(synthesized.nagErrors()).toEqual([]);
  });
});

describe('construct ids', () => {
  test('given media switched off, then the logical ids of everything else stay the same (no replacement on deploy)', () => {
    const logicalIds = (synthesized: ReturnType<typeof synthStage>) =>
      synthesized.stage.stacks
        .filter((stack) => stack.node.id !== 'Media')
        .flatMap((stack) => Object.keys(synthesized.template(stack).toJSON().Resources).map((id) => `${stack.node.id}/${id}`));
    const withMedia = new Set(logicalIds(synthStage(stageConfig('int'))));
    const withoutMedia = logicalIds(synthStage(stageConfig('int', { media: false })));

    expect(withoutMedia.filter((id) => !withMedia.has(id))).toEqual([]);
  });
});
