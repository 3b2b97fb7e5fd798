/**
 * The browser bundle of one generated aggregate, in both zod flavours: the order aggregate of
 * `test/fixtures/compiler/mini` (its schema module written with `zod/mini`, generated files
 * committed) and the same aggregate generated from the classic `zod` module of
 * `test/fixtures/compiler/rich`. Each bundle holds what a browser app of one aggregate holds:
 * the root and `./browser` exports of the runtime, the generated aggregate class and event
 * creators, and the schema module. Used by `test/zod-mini.bundle.test.ts` and the bench.
 */
import { cpSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { generate } from 'event-sourced-rules-engine/compiler';
import { FIXTURES, scratchProject } from '../compiler.support.js';

export type ZodFlavour = 'zod/mini' | 'zod';

/** The zod/mini project: the committed golden fixture. */
export const MINI_PROJECT = path.join(FIXTURES, 'mini');

/**
 * Generates the classic-zod twin of the zod/mini project in a scratch folder (the rich
 * fixture's order module, under the mini fixture's config and with its rules) and returns the folder; remove it
 * with `removeProject`.
 */
export async function classicProject(): Promise<string> {
  const dir = scratchProject('zod-classic-order');
  cpSync(path.join(FIXTURES, 'rich'), dir, { recursive: true });
  cpSync(path.join(MINI_PROJECT, 'esre.config.ts'), path.join(dir, 'esre.config.ts'));
  cpSync(path.join(MINI_PROJECT, 'src/rules'), path.join(dir, 'src/rules'), { recursive: true });
  await generate({ cwd: dir });
  return dir;
}

/** The entry of an app of one aggregate: the runtime's root and browser exports, the aggregate class and its event creators. */
const ENTRY = `export * from 'event-sourced-rules-engine';
export * from 'event-sourced-rules-engine/browser';
export { OrderAggregate } from './src/generated/order/aggregate.js';
export { OrderEvents } from './src/generated/order/events.js';
`;

export interface AggregateBundle {
  readonly code: string;
  /** Every input file (relative to the working directory). */
  readonly inputs: readonly string[];
  /** Size of the code in bytes, and gzipped (level 9). */
  readonly bytes: number;
  readonly gzipBytes: number;
}

/** Bundles the project's app entry with esbuild: ESM for the browser, minified unless told otherwise. */
export async function bundleAggregate(project: string, options: { minify?: boolean } = {}): Promise<AggregateBundle> {
  const result = await build({
    stdin: { contents: ENTRY, resolveDir: project, sourcefile: 'app.ts', loader: 'ts' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: options.minify ?? true,
    write: false,
    metafile: true,
    logLevel: 'silent',
    conditions: ['esre-source'],
  });
  const code = result.outputFiles[0]!.text;
  return { code, inputs: Object.keys(result.metafile.inputs), bytes: Buffer.byteLength(code), gzipBytes: gzipSync(code, { level: 9 }).length };
}

/** Input files of classic zod (its `zod` entry and `v4/classic` build), which a zod/mini bundle must not hold. */
export function classicZodInputs(inputs: readonly string[]): string[] {
  return inputs.filter((input) => /node_modules\/zod\/(index\.js|v4\/classic\/|v4\/index\.js)/.test(input));
}
