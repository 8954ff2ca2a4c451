#!/usr/bin/env node
/**
 * The CDK app. Synthesizes every stage of lib/config/stages.ts plus the shared accounts, with
 * the cdk-nag AwsSolutions checks applied.
 *
 * Environment:
 * - STACK_LAMBDA_ASSETS: the directory cargo-lambda built into (`<binary>/bootstrap`); without it
 *   every function gets a placeholder binary, fine for synth, refused by the deploy workflow.
 * - STACK_PREVIEW_PR: adds the preview stage `pr-<number>` of that pull request.
 * - STACK_DEVELOPER: adds the developer stage `dev-<name>`.
 */
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp } from '../lib/app';
import { organisationFor } from '../lib/config/stages';
import { BuiltArtifacts, PlaceholderArtifacts } from '../lib/constructs/artifacts';

const app = new App({ analyticsReporting: false });
const assets = process.env.STACK_LAMBDA_ASSETS;
buildApp(app, {
  organisation: organisationFor(process.env),
  artifacts: assets ? new BuiltArtifacts(assets) : new PlaceholderArtifacts(),
});
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
app.synth();
