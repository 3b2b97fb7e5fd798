/**
 * `esre generate --watch` makes a module loader per run. Node cannot remove loader hooks once
 * registered, so a loader that registered hooks of its own would add one hooks instance per
 * run, forever, in a long watch session. The bundle loader of generate and check registers no
 * hooks at all; the tsx loader (`esre recalculate`) shares one registration. Both see every file
 * as it is now.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import { expect } from 'chai';
import { ModuleLoader } from '../compiler/loader.js';
import { generate } from 'event-sourced-rules-engine/compiler';
import { EXAMPLE, removeProject, scratchProject } from './compiler.support.js';
import { copyFileSync } from 'node:fs';

describe('the compiler module loader, run after run', function () {
  this.timeout(120_000);
  let dir: string | undefined;
  const originalRegister = Module.register;
  let registrations = 0;

  beforeEach(() => {
    registrations = 0;
    Module.register = function (this: unknown, ...args: Parameters<typeof Module.register>) {
      registrations++;
      return originalRegister.apply(this, args);
    } as typeof Module.register;
  });
  afterEach(() => {
    Module.register = originalRegister;
    removeProject(dir);
    dir = undefined;
  });

  for (const [kind, manifest] of [
    ['an ES module project', { type: 'module' }],
    ['a CommonJS project (no "type")', {}],
  ] as const) {
    it(`registers no loader hooks after the first run, and each run sees files as they are now (${kind})`, async () => {
      dir = scratchProject('loader-reuse');
      writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'user-project', ...manifest }));
      mkdirSync(path.join(dir, 'schemas'));
      const entry = path.join(dir, 'schemas/thing.ts');
      writeFileSync(entry, "import { value } from './part';\nexport default { value };\n");
      const seen: unknown[] = [];
      const counts: number[] = [];
      for (let run = 1; run <= 4; run++) {
        writeFileSync(path.join(dir, 'schemas/part.ts'), `export const value = ${run};\n`);
        const before = registrations;
        const loader = await ModuleLoader.create();
        try {
          seen.push(((await loader.import(entry)).default as { value: number }).value);
          expect(loader.importedFiles.map((url) => path.basename(new URL(url).pathname))).to.include('thing.ts');
        } finally {
          await loader.dispose();
        }
        counts.push(registrations - before);
      }
      expect(seen, 'each run reads the files afresh').to.deep.equal([1, 2, 3, 4]);
      expect(counts.slice(1), 'hooks registered by runs after the first').to.deep.equal([0, 0, 0]);
    });
  }

  it('generate registers no loader hooks at all, run after run (it compiles the project with esbuild and imports the result)', async () => {
    dir = scratchProject('loader-reuse-generate');
    mkdirSync(path.join(dir, 'schemas'));
    copyFileSync(path.join(EXAMPLE, 'esre.config.ts'), path.join(dir, 'esre.config.ts'));
    copyFileSync(path.join(EXAMPLE, 'schemas/account.schema.ts'), path.join(dir, 'schemas/account.schema.ts'));
    for (let run = 0; run < 3; run++) {
      await generate({ cwd: dir });
      // a full run each time: the rerun cache would answer without loading anything
      rmSync(path.join(dir, '.esre-cache'), { recursive: true, force: true });
    }
    expect(registrations).to.equal(0);
  });
});
