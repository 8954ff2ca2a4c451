import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { INFRA_ROOT } from '../paths';

/**
 * The Rust binaries the stack deploys, by role. Each is a Cargo binary built by cargo-lambda into
 * `<artifacts>/<binary>/bootstrap`; `router`, `authorizer`, `todo-service` and `media-service` exist today; the others arrive later.
 */
export const LAMBDA_BINARIES = {
  router: 'router',
  authorizer: 'authorizer',
  todoSubgraph: 'todo-service',
  mediaSubgraph: 'media-service',
  streamPublisher: 'stream-publisher',
  notificationWorker: 'notification-worker',
  analyticsConsumer: 'analytics-consumer',
  imageResizer: 'image-resizer',
  stripeWebhook: 'stripe-webhook',
} as const;

/** One of the deployable binaries. */
export type LambdaBinary = (typeof LAMBDA_BINARIES)[keyof typeof LAMBDA_BINARIES];

/** Where the Lambda code comes from: injected, so synth never compiles Rust. */
export interface LambdaArtifacts {
  /** The code of `binary`. */
  code(binary: LambdaBinary): lambda.Code;
}

/** Binaries that cargo-lambda built into `directory/<binary>/bootstrap`. */
export class BuiltArtifacts implements LambdaArtifacts {
  constructor(private readonly directory: string) {}

  code(binary: LambdaBinary): lambda.Code {
    const bootstrap = path.join(this.directory, binary, 'bootstrap');
    if (!fs.existsSync(bootstrap)) {
      throw new Error(`no Lambda artifact for ${binary}: expected ${bootstrap} (build with infra/scripts/build-lambda-artifacts.sh)`);
    }
    return lambda.Code.fromAsset(path.dirname(bootstrap));
  }
}

/** One stub `bootstrap` for every binary: for synth and tests, never for a deployment. */
export class PlaceholderArtifacts implements LambdaArtifacts {
  private static readonly directory = path.join(INFRA_ROOT, 'assets', 'placeholder');

  code(): lambda.Code {
    return lambda.Code.fromAsset(PlaceholderArtifacts.directory);
  }
}
