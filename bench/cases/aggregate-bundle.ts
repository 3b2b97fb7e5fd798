/**
 * The browser bundle of one generated aggregate, with its schema module written with zod/mini
 * and, as the baseline, with classic zod (the same schemas, the same generated code but for
 * zod/mini's locale lines; built in the same run): esbuild, ESM for the browser, minified, of
 * the runtime's root and `./browser` exports, the aggregate class and its event creators.
 * Sizes are exact, so one round is enough.
 */
import { removeProject } from '../../test/compiler.support.js';
import { MINI_PROJECT, bundleAggregate, classicProject } from '../../test/support/aggregate-bundle.js';
import { figureRow } from '../lib/rows.js';
import type { BenchRow } from '../lib/row.js';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

export default async function aggregateBundleBench(): Promise<BenchRow[]> {
  const classic = await classicProject();
  try {
    const mini = await bundleAggregate(MINI_PROJECT);
    const zod = await bundleAggregate(classic);
    const details = { miniBytes: mini.bytes, miniGzipBytes: mini.gzipBytes, zodBytes: zod.bytes, zodGzipBytes: zod.gzipBytes };
    return [
      figureRow({
        benchmark: 'browser bundle of one generated aggregate, zod/mini schema module (esbuild, minified ESM: runtime root + ./browser, aggregate class, schema module), gzip',
        samples: [mini.gzipBytes / 1024],
        unit: 'KB',
        measured: `${kb(mini.bytes)} minified, ${kb(mini.gzipBytes)} gzip`,
        baseline: `classic zod: ${kb(zod.bytes)} minified, ${kb(zod.gzipBytes)} gzip`,
        target: { atMost: 30 },
        details,
      }),
      figureRow({
        benchmark: 'browser bundle of one generated aggregate: zod/mini vs classic zod (gzip size ratio)',
        samples: [mini.gzipBytes / zod.gzipBytes],
        unit: '×',
        measured: kb(mini.gzipBytes),
        baseline: kb(zod.gzipBytes),
        details,
      }),
    ];
  } finally {
    removeProject(classic);
  }
}
