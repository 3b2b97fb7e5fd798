/**
 * Bundles a generated `api.ts` exactly as the CDK construct `EventSourcedHttpApi` has
 * `NodejsFunction` bundle it (runtime/cdk/http-api.ts): esbuild, CommonJS, minified, source
 * map, platform node, target node22, `@aws-sdk/*` external, the export conditions of this
 * process. Shared by test/http-bundle.test.ts and the bench row `http-bundle`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { exportConditionsOfThisProcess } from '../../runtime/cdk/export-conditions.js';

/** A bundle written to disk. */
export interface HandlerBundle {
  /** `<outdir>/index.js`, CommonJS (the folder has a `package.json` saying so, as a Lambda asset needs none). */
  readonly file: string;
  /** Size of `index.js`, minified, in bytes. */
  readonly bytes: number;
  /** Size of `index.js` gzipped (level 9), in bytes. */
  readonly gzipBytes: number;
  /** The packages left to `require` at run time. */
  readonly externals: readonly string[];
}

/** Bundles `entry` into `outdir/index.js` with NodejsFunction's settings of EventSourcedHttpApi. */
export async function bundleHandler(entry: string, outdir: string): Promise<HandlerBundle> {
  mkdirSync(outdir, { recursive: true });
  const file = path.join(outdir, 'index.js');
  const conditions = exportConditionsOfThisProcess();
  const result = await build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    sourcemap: true,
    external: ['@aws-sdk/*'],
    ...(conditions.length === 0 ? {} : { conditions }),
    metafile: true,
    logLevel: 'silent',
  });
  // In the repository (type: module) a .js file would load as ESM; a Lambda asset folder has no package.json.
  writeFileSync(path.join(outdir, 'package.json'), '{ "type": "commonjs" }\n');
  const code = readFileSync(file);
  const externals = new Set<string>();
  for (const input of Object.values(result.metafile.inputs)) for (const imported of input.imports) if (imported.external) externals.add(imported.path);
  return { file, bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, externals: [...externals].sort() };
}
