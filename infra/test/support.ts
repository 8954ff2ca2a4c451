import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp, SharedAccountsStage, WorkloadStage } from '../lib/app';
import { ORGANISATION, stageNamed } from '../lib/config/stages';
import { ModuleSwitches, OrganisationConfig, StageConfig } from '../lib/config/types';
import { PlaceholderArtifacts } from '../lib/constructs/artifacts';

/** The organisation of lib/config/stages.ts with one stage changed. */
export function organisationWith(stage: StageConfig): OrganisationConfig {
  return { ...ORGANISATION, stages: ORGANISATION.stages.map((s) => (s.name === stage.name ? stage : s)) };
}

/** A stage of the real configuration, optionally with some modules off. */
export function stageConfig(name: string, modules: Partial<ModuleSwitches> = {}): StageConfig {
  const stage = stageNamed(ORGANISATION, name);
  return { ...stage, modules: { ...stage.modules, ...modules } };
}

/** A synthesized stage with the cdk-nag AwsSolutions checks applied. */
export interface SynthesizedStage {
  readonly stage: WorkloadStage;
  template(stack: Stack): Template;
  /** Every unsuppressed cdk-nag error, as `path: message`. */
  nagErrors(): string[];
}

/** Synthesizes one stage in memory: no AWS account, no network, no Rust build. */
export function synthStage(config: StageConfig): SynthesizedStage {
  const app = new App({ analyticsReporting: false });
  const { stages } = buildApp(app, {
    organisation: organisationWith(config),
    artifacts: new PlaceholderArtifacts(),
    stageNames: [config.name],
    includeShared: false,
  });
  const stage = stages[0];
  Aspects.of(stage).add(new AwsSolutionsChecks());
  const assembly = stage.synth();
  const templates = new Map<Stack, Template>();
  const template = (stack: Stack) => {
    if (!templates.has(stack)) templates.set(stack, Template.fromJSON(assembly.getStackArtifact(stack.artifactId).template));
    return templates.get(stack)!;
  };
  return { stage, template, nagErrors: () => nagErrors(assembly) };
}

/** Synthesizes the shared accounts stage with the cdk-nag checks. */
export function synthShared(): { stage: SharedAccountsStage; nagErrors(): string[] } {
  const app = new App({ analyticsReporting: false });
  const { shared } = buildApp(app, { organisation: ORGANISATION, artifacts: new PlaceholderArtifacts(), stageNames: [] });
  Aspects.of(shared!).add(new AwsSolutionsChecks());
  const assembly = shared!.synth();
  return { stage: shared!, nagErrors: () => nagErrors(assembly) };
}

/** The cdk-nag errors the synthesis recorded, as `path: first line of the message`. */
function nagErrors(assembly: cxapi.CloudAssembly): string[] {
  return assembly.stacks.flatMap((artifact) =>
    artifact.messages
      .filter((message) => message.level === 'error' && String(message.entry.data).startsWith('AwsSolutions-'))
      .map((message) => `${message.id}: ${String(message.entry.data).split('\n')[0]}`),
  );
}

/** The resources of `type` in `template`, as [logical id, resource] pairs. */
export function resourcesOf(template: Template, type: string): [string, any][] {
  return Object.entries(template.findResources(type));
}
