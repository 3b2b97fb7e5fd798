/**
 * The Lambda bundle of a generated HTTP handler (`<output>/<folder>/api.ts`, test fixture
 * test/fixtures/compiler/api), bundled as `EventSourcedHttpApi`'s NodejsFunction bundles it:
 * esbuild, CommonJS, minified, platform node, target node22, `@aws-sdk/*` external. Measured
 * with the fixture's schema modules as they are (`import * as z from 'zod'`) and rewritten to
 * `import { z } from 'zod'` (which makes esbuild keep every zod locale). Sizes are exact: one round.
 */
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from 'event-sourced-rules-engine/compiler';
import { FIXTURES, removeProject, scratchProject } from '../../test/compiler.support.js';
import { bundleHandler, type HandlerBundle } from '../../test/support/http-bundle.js';
import { figureRow } from '../lib/rows.js';
import type { BenchRow } from '../lib/row.js';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** Generates the fixture (rule stubs created) in a scratch folder, optionally with `import { z }`, and bundles its handler. */
async function bundleOf(namedImport: boolean): Promise<HandlerBundle> {
  const dir = scratchProject(`bench-http-bundle-${namedImport ? 'named' : 'namespace'}`);
  try {
    cpSync(path.join(FIXTURES, 'api'), dir, { recursive: true });
    if (namedImport) {
      for (const name of readdirSync(path.join(dir, 'schemas'))) {
        const file = path.join(dir, 'schemas', name);
        writeFileSync(file, readFileSync(file, 'utf8').replace("import * as z from 'zod';", "import { z } from 'zod';"));
      }
    }
    await generate({ cwd: dir });
    return await bundleHandler(path.join(dir, 'src/generated/bank-account/api.ts'), path.join(dir, 'lambda'));
  } finally {
    removeProject(dir);
  }
}

export default async function httpBundleBench(): Promise<BenchRow[]> {
  const namespace = await bundleOf(false);
  const named = await bundleOf(true);
  const details = { namespaceBytes: namespace.bytes, namespaceGzipBytes: namespace.gzipBytes, namedBytes: named.bytes, namedGzipBytes: named.gzipBytes, externals: namespace.externals };
  return [
    figureRow({
      benchmark: "HTTP handler Lambda bundle (generated api.ts as NodejsFunction bundles it: minified CJS, @aws-sdk/* external), schema modules with import * as z from 'zod'",
      samples: [namespace.bytes / 1024],
      unit: 'KB',
      measured: `${kb(namespace.bytes)} minified, ${kb(namespace.gzipBytes)} gzip`,
      baseline: '—',
      target: { atMost: 300 },
      details,
    }),
    figureRow({
      benchmark: "HTTP handler Lambda bundle, the same schema modules with import { z } from 'zod' (every zod locale bundled)",
      samples: [named.bytes / 1024],
      unit: 'KB',
      measured: `${kb(named.bytes)} minified, ${kb(named.gzipBytes)} gzip`,
      baseline: `import * as z: ${kb(namespace.bytes)} minified`,
      details,
    }),
  ];
}
