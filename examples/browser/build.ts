/**
 * Bundles the task board with esbuild: one minified ES module (`app.js`) next to a copy of
 * `index.html`, in `dist/` unless told otherwise. `zod: "classic"` bundles the same app with
 * `zod/mini` imports served by classic `zod` (an esbuild alias), to compare the sizes.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** This example's folder. */
export const EXAMPLE_DIR = dirname(fileURLToPath(import.meta.url));

/** Options of {@link buildExample}. */
export interface BuildExampleOptions {
  /** Where to write `index.html` and `app.js` (default: `dist/` in the example's folder). */
  readonly outdir?: string;
  /** Which zod the schema module's `zod/mini` imports resolve to (default `"mini"`). */
  readonly zod?: 'mini' | 'classic';
}

/** What {@link buildExample} wrote. */
export interface BuiltExample {
  /** The folder holding `index.html` and `app.js`. */
  readonly outdir: string;
  /** Size of `app.js` in bytes, minified. */
  readonly bytes: number;
  /** Size of `app.js` in bytes, minified and gzipped (level 9). */
  readonly gzipBytes: number;
  /** Bytes of `app.js` per input package (`zod`, `event-sourced-rules-engine`, `example`). */
  readonly bytesByPackage: Readonly<Record<string, number>>;
}

/** Names the package an esbuild input path belongs to (the example's own files are `example`). */
function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (match) return match[1]!;
  return input.startsWith('examples/') || !input.includes('/') || input.startsWith('src/') || input.startsWith('schemas/') ? 'example' : 'event-sourced-rules-engine';
}

/** Bundles the app (minified ESM for the browser) and copies `index.html` beside it. */
export async function buildExample(options: BuildExampleOptions = {}): Promise<BuiltExample> {
  const outdir = options.outdir ?? join(EXAMPLE_DIR, 'dist');
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, 'app.js');
  const result = await build({
    absWorkingDir: EXAMPLE_DIR,
    entryPoints: [join(EXAMPLE_DIR, 'src/app/main.ts')],
    outfile,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // This repository's own sources; an installed package resolves to its built files instead.
    conditions: ['esre-source'],
    ...(options.zod === 'classic' ? { alias: { 'zod/mini': 'zod' } } : {}),
    metafile: true,
    logLevel: 'warning',
  });
  copyFileSync(join(EXAMPLE_DIR, 'index.html'), join(outdir, 'index.html'));
  const code = readFileSync(outfile);
  const bytesByPackage: Record<string, number> = {};
  const output = Object.values(result.metafile.outputs)[0];
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const name = packageOf(input);
    bytesByPackage[name] = (bytesByPackage[name] ?? 0) + bytesInOutput;
  }
  return { outdir, bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, bytesByPackage };
}
