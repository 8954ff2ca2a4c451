import { stageConfig, synthStage } from './support';

describe('a stage outside us-east-1', () => {
  const config = stageConfig('int');
  const synthesized = synthStage({ ...config, target: { ...config.target, region: 'eu-west-1' } });

  test('given eu-west-1, when synthesized, then the edge stack stays in us-east-1 and the others follow the stage', () => {
    expect(synthesized.stage.edge.region).toBe('us-east-1');
    expect(synthesized.stage.api.region).toBe('eu-west-1');
    expect(synthesized.stage.data.region).toBe('eu-west-1');
  });

  test('given eu-west-1, when synthesized, then cdk-nag reports no unsuppressed error', () => {
    expect(synthesized.nagErrors()).toEqual([]);
  });
});
