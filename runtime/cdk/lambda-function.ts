import { Architecture, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * What every function of these constructs shares: Node.js 22 on arm64, plain-text logs, and
 * source maps on (the bundles carry them).
 */
export const LAMBDA_RUNTIME = {
  runtime: Runtime.NODEJS_22_X,
  architecture: Architecture.ARM_64,
  loggingFormat: LoggingFormat.TEXT,
} as const;

/** `NODE_OPTIONS` of every function: stack traces through the bundle's source map. */
export const LAMBDA_NODE_OPTIONS = { NODE_OPTIONS: '--enable-source-maps' } as const;

/**
 * How the functions are bundled: the local esbuild (never Docker), minified CommonJS for Node 22
 * with a source map, the AWS SDK left to the Lambda runtime; `conditions` become esbuild's
 * `--conditions` (none: the default conditions).
 */
export function lambdaBundling(conditions: readonly string[] = []): BundlingOptions {
  return {
    forceDockerBundling: false,
    minify: true,
    sourceMap: true,
    target: 'node22',
    format: OutputFormat.CJS,
    externalModules: ['@aws-sdk/*'],
    ...(conditions.length === 0 ? {} : { esbuildArgs: { '--conditions': conditions.join(',') } }),
  };
}
