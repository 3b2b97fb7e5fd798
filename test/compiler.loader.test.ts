/**
 * How the compiler loads config and schema modules: the same namespace whether the user's
 * project is an ES module project (`"type": "module"`) or CommonJS (no `"type"`, `npm init -y`).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { ModuleLoader, unwrapCommonJsDefault } from '../compiler/loader.js';
import { removeProject, scratchProject } from './compiler.support.js';

const MODULE = `export const named = 'named';
const config = { kind: 'default' as const };
export default config;
`;

describe('the compiler module loader', function () {
  this.timeout(30_000);
  let dir: string | undefined;
  let loader: ModuleLoader | undefined;

  afterEach(async () => {
    await loader?.dispose();
    loader = undefined;
    removeProject(dir);
  });

  for (const [kind, manifest] of [
    ['an ES module project', { type: 'module' }],
    ['a CommonJS project (no "type")', {}],
  ] as const) {
    it(`gives a module's default and named exports as written, in ${kind}`, async () => {
      dir = scratchProject('loader');
      writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'user-project', ...manifest }));
      mkdirSync(path.join(dir, 'schemas'));
      writeFileSync(path.join(dir, 'schemas/thing.ts'), MODULE);
      loader = await ModuleLoader.create();
      const namespace = await loader.import(path.join(dir, 'schemas/thing.ts'));
      expect(namespace.default).to.deep.equal({ kind: 'default' });
      expect(namespace.named).to.equal('named');
    });
  }

  it("gives a schema module the compiler's own instance of a package's ES modules (zod is loaded once)", async () => {
    dir = scratchProject('loader');
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'user-project', type: 'module' }));
    writeFileSync(path.join(dir, 'zod-of-module.ts'), "import * as zod from 'zod';\n\nexport default zod;\n");
    loader = await ModuleLoader.create();
    const namespace = await loader.import(path.join(dir, 'zod-of-module.ts'));
    expect(namespace.default).to.equal(await import('zod'));
  });

  it('leaves a CommonJS module that is not compiled ESM (no __esModule) as Node gives it', () => {
    const exportsObject = { default: 'inner' };
    expect(unwrapCommonJsDefault({ default: exportsObject }).default).to.equal(exportsObject);
  });
});
