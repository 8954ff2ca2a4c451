import { ORGANISATION } from '../lib/config/stages';
import { STAGE_KINDS } from '../lib/config/types';
import { stageConfig, synthShared, synthStage } from './support';

describe('every configured stage', () => {
  test.each(ORGANISATION.stages.map((stage) => [stage.name, stage.kind]))(
    'given stage %s (%s), when synthesized, then cdk-nag reports no unsuppressed error and every resource carries the cost tags',
    (name) => {
      const synthesized = synthStage(stageConfig(name));

      expect(synthesized.nagErrors()).toEqual([]);
      for (const stack of synthesized.stage.stacks) {
        const resources = synthesized.template(stack).toJSON().Resources as Record<string, any>;
        for (const [logicalId, resource] of Object.entries(resources)) {
          const tags = resource.Properties?.Tags;
          if (!Array.isArray(tags) || tags.every((tag: any) => !tag.Key)) continue;
          const keys = tags.map((tag: any) => tag.Key);
          expect({ logicalId, keys }).toEqual({ logicalId, keys: expect.arrayContaining(['stack:project', 'stack:stage', 'stack:cost-center']) });
        }
      }
    },
  );

  test('given the organisation, then there is a stage of every kind', () => {
    expect(new Set(ORGANISATION.stages.map((stage) => stage.kind))).toEqual(new Set(STAGE_KINDS));
  });
});

describe('the shared accounts', () => {
  test('given the organisation, when synthesized, then cdk-nag reports no unsuppressed error', () => {
    expect(synthShared().nagErrors()).toEqual([]);
  });
});
