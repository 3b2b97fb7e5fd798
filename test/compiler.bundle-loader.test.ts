/**
 * How `esre generate` and `esre check` load the project's modules: esbuild compiles the
 * project's files, Node imports the result, packages are imported from where they are
 * installed. Each module still sees what it would see unbundled.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { BundleLoader, ModuleLoadError } from '../compiler/bundle-loader.js';
import { explainLoadError } from '../compiler/load-error.js';
import { REPO, removeProject, scratchProject } from './compiler.support.js';

/** Scratch folders of loaders in this process (under the OS temp folder). */
const scratchFolders = () => readdirSync(tmpdir()).filter((name) => name.startsWith('esre-load-'));

describe('the bundle loader (how generate and check load config and schema modules)', function () {
  this.timeout(60_000);
  let dir: string | undefined;
  let loader: BundleLoader | undefined;

  afterEach(async () => {
    await loader?.dispose();
    loader = undefined;
    removeProject(dir);
    dir = undefined;
  });

  /** A project with `package.json` of `manifest` and the given files. */
  function project(manifest: object, files: Record<string, string>): string {
    dir = scratchProject('bundle-loader');
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'user-project', ...manifest }));
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
    return dir;
  }

  for (const [kind, manifest] of [
    ['an ES module project', { type: 'module' }],
    ['a CommonJS project (no "type")', {}],
  ] as const) {
    it(`gives a module's default and named exports, and its own file in import.meta, in ${kind}`, async () => {
      const root = project(manifest, {
        'schemas/thing.ts': "import { part } from './part';\nexport const url = import.meta.url;\nexport const where = { file: import.meta.filename, dir: import.meta.dirname };\nexport default { kind: 'default', part };\n",
        'schemas/part.ts': 'export const part = import.meta.url;\n',
      });
      loader = await BundleLoader.create();
      const namespace = await loader.import(path.join(root, 'schemas/thing.ts'));
      expect(namespace.default).to.deep.equal({ kind: 'default', part: pathToFileURL(path.join(root, 'schemas/part.ts')).href });
      expect(namespace.url).to.equal(pathToFileURL(path.join(root, 'schemas/thing.ts')).href);
      expect(namespace.where).to.deep.equal({ file: path.join(root, 'schemas/thing.ts'), dir: path.join(root, 'schemas') });
      expect(loader.importedFiles).to.deep.equal(['schemas/part.ts', 'schemas/thing.ts'].map((file) => pathToFileURL(path.join(root, file)).href));
    });
  }

  it("gives a CommonJS module its own __dirname and __filename, and a working require() of a package", async () => {
    const root = project({}, {
      'esre.config.ts': "const zod = require('zod');\nconst here = __dirname;\nmodule.exports = { here, file: __filename, zod };\n",
      'declared.ts': "const __dirname = 'mine';\nexport default __dirname;\n",
    });
    loader = await BundleLoader.create();
    const config = await loader.import(path.join(root, 'esre.config.ts'));
    const exported = config.default as { here: string; file: string; zod: { object?: unknown } };
    expect(exported.here).to.equal(root);
    expect(exported.file).to.equal(path.join(root, 'esre.config.ts'));
    expect(exported.zod.object, "zod's object()").to.be.a('function');
    expect((await loader.import(path.join(root, 'declared.ts'))).default, 'a module that declares __dirname keeps its own').to.equal('mine');
  });

  it("gives a CommonJS module Node's built-in modules through require() and TypeScript's import = require()", async () => {
    const root = project({}, {
      'esre.config.ts': "import path = require('path');\nconst fs = require('node:fs');\nexport = { joined: path.join('a', 'b'), read: typeof fs.readFileSync };\n",
    });
    loader = await BundleLoader.create();
    expect((await loader.import(path.join(root, 'esre.config.ts'))).default).to.deep.equal({ joined: path.join('a', 'b'), read: 'function' });
  });

  it('gives a CommonJS module require.resolve(), resolving from its own folder', async () => {
    const root = project({}, {
      'lib/where.js': "module.exports = { zod: require.resolve('zod'), sibling: require.resolve('./data.json') };\n",
      'lib/data.json': '{}\n',
    });
    loader = await BundleLoader.create();
    expect((await loader.import(path.join(root, 'lib/where.js'))).default).to.deep.equal({
      zod: createRequire(path.join(root, 'lib/where.js')).resolve('zod'),
      sibling: path.join(root, 'lib/data.json'),
    });
  });

  it('locates a require() it cannot compile (a computed name) in the source, never in its scratch folder', async () => {
    const root = project({}, { 'esre.config.ts': "const name = ['pa', 'th'].join('');\nconst path = require(name);\nmodule.exports = path;\n" });
    loader = await BundleLoader.create();
    let caught: unknown;
    await loader.import(path.join(root, 'esre.config.ts')).catch((error: unknown) => (caught = error));
    expect(explainLoadError(caught).location).to.deep.equal({ file: path.join(root, 'esre.config.ts'), line: 2, column: 14 });
  });

  it("gives a schema module the compiler's own instance of zod, and records the packages imported", async () => {
    const root = project({ type: 'module' }, { 'zod-of-module.ts': "import * as zod from 'zod';\n\nexport default zod;\n" });
    loader = await BundleLoader.create();
    const namespace = await loader.import(path.join(root, 'zod-of-module.ts'));
    expect(namespace.default).to.equal(await import('zod'));
    expect(loader.importedPackages.map((manifest) => path.basename(path.dirname(manifest)))).to.deep.equal(['zod']);
  });

  it('prepares many modules in one build; a module that cannot be built fails its own import, located, and the others load', async () => {
    const root = project({ type: 'module' }, {
      'schemas/a.ts': "export default 'a';\n",
      'schemas/broken.ts': "export default {\n  name: 'x',,\n};\n",
      'schemas/missing.ts': "import { nothing } from './nowhere.js';\nexport default nothing;\n",
      'schemas/c.ts': "export default 'c';\n",
    });
    loader = await BundleLoader.create();
    const files = ['a', 'broken', 'missing', 'c'].map((name) => path.join(root, `schemas/${name}.ts`));
    await loader.prepare(files);
    expect((await loader.import(files[0]!)).default).to.equal('a');
    expect((await loader.import(files[3]!)).default).to.equal('c');
    const failure = async (file: string) => {
      try {
        await loader!.import(file);
      } catch (error) {
        expect(error).to.be.instanceOf(ModuleLoadError);
        return explainLoadError(error);
      }
      throw new Error(`${file} loaded`);
    };
    expect(await failure(files[1]!)).to.deep.equal({ message: 'Expected identifier but found ","', location: { file: files[1], line: 2, column: 13 } });
    expect(await failure(files[2]!)).to.deep.equal({ message: "Cannot find module './nowhere.js'", location: { file: files[2], line: 1, column: 26 } });
  });

  it('gives import.meta.url its own file only where it is code: strings and comments that mention it stay as written', async () => {
    const root = project({ type: 'module' }, {
      'schemas/said.ts':
        "// import.meta.url names this file\nexport const single = 'import.meta.url';\nexport const double = \"see import.meta.url, import.meta.dirname\";\n" +
        'export const template = `${import.meta.url} import.meta.url`;\nexport const url = import.meta.url;\n',
    });
    const file = path.join(root, 'schemas/said.ts');
    const url = pathToFileURL(file).href;
    loader = await BundleLoader.create();
    expect(await loader.import(file)).to.deep.include({ single: 'import.meta.url', double: 'see import.meta.url, import.meta.dirname', template: `${url} import.meta.url`, url });
  });

  it('says, as Node does, that a package does not export a subpath, at the import', async () => {
    const root = project({ type: 'module' }, { 'schemas/deep.ts': "import { object } from 'zod/lib/nothing';\nexport default object;\n" });
    loader = await BundleLoader.create();
    let caught: unknown;
    await loader.import(path.join(root, 'schemas/deep.ts')).catch((error: unknown) => (caught = error));
    expect(explainLoadError(caught)).to.deep.equal({
      message: "Package subpath './lib/nothing' is not defined by \"exports\" in package 'zod'",
      location: { file: path.join(root, 'schemas/deep.ts'), line: 1, column: 25 },
    });
  });

  it('says which file is missing when a package points to one that does not exist (a workspace package not built yet)', async () => {
    const root = project({ type: 'module' }, {
      'node_modules/unbuilt/package.json': JSON.stringify({ name: 'unbuilt', version: '1.0.0', type: 'module', exports: { '.': { types: './src/index.ts', default: './dist/index.js' } } }),
      'node_modules/unbuilt/src/index.ts': 'export const limit = 1;\n',
      'schemas/uses.ts': "import { limit } from 'unbuilt';\nexport default limit;\n",
    });
    loader = await BundleLoader.create();
    let caught: unknown;
    await loader.import(path.join(root, 'schemas/uses.ts')).catch((error: unknown) => (caught = error));
    expect(explainLoadError(caught)).to.deep.equal({
      message: "Cannot find module './dist/index.js' that package 'unbuilt' points to",
      location: { file: path.join(root, 'schemas/uses.ts'), line: 1, column: 24 },
    });
  });

  it('says, as Node does, that a subpath import (#name) is not defined by the package.json "imports", or which file it maps to is missing, at the import', async () => {
    const root = project({ type: 'module', imports: { '#lib/*': './lib/*' } }, {
      'schemas/uses.ts': "import { limit } from '#limits';\nexport default limit;\n",
      'schemas/mapped.ts': "import { limit } from '#lib/limits.js';\nexport default limit;\n",
    });
    loader = await BundleLoader.create();
    const failure = async (file: string) => explainLoadError(await loader!.import(path.join(root, file)).then(() => undefined, (error: unknown) => error));
    expect(await failure('schemas/uses.ts')).to.deep.equal({
      message: "Package import specifier '#limits' is not defined by \"imports\" in package.json",
      location: { file: path.join(root, 'schemas/uses.ts'), line: 1, column: 24 },
    });
    expect(await failure('schemas/mapped.ts'), 'defined, to a file that does not exist').to.deep.equal({
      message: "Cannot find module './lib/limits.js' that \"imports\" in package.json maps '#lib/limits.js' to",
      location: { file: path.join(root, 'schemas/mapped.ts'), line: 1, column: 24 },
    });
  });

  it('locates an error thrown while a module runs in its source file, through a module it imports', async () => {
    const root = project({ type: 'module' }, {
      'schemas/thing.ts': "import { limit } from './limits';\n\nexport default limit;\n",
      'schemas/limits.ts': "type Limit = number;\nconst value: Limit = 1;\nif (value > 0) throw new RangeError(`no limit ${value}`);\nexport const limit = value;\n",
    });
    loader = await BundleLoader.create();
    let caught: unknown;
    await loader.import(path.join(root, 'schemas/thing.ts')).catch((error: unknown) => (caught = error));
    expect(explainLoadError(caught)).to.deep.equal({ message: 'RangeError: no limit 1', location: { file: path.join(root, 'schemas/limits.ts'), line: 3, column: 22 } });
  });

  it("follows the project's tsconfig paths into its own files", async () => {
    const root = project({ type: 'module' }, {
      'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@shared/*': ['shared/*'] } } }),
      'shared/money.ts': 'export const currency = "EUR";\n',
      'schemas/thing.ts': "import { currency } from '@shared/money';\nexport default currency;\n",
    });
    loader = await BundleLoader.create();
    expect((await loader.import(path.join(root, 'schemas/thing.ts'))).default).to.equal('EUR');
    expect(loader.importedFiles).to.include(pathToFileURL(path.join(root, 'shared/money.ts')).href);
  });

  it('compiles a TypeScript package linked into node_modules from outside it (a workspace) with the project, and sees it afresh each run', async () => {
    const root = project({ type: 'module' }, {
      'packages/shared/package.json': JSON.stringify({ name: '@acme/shared', type: 'module', exports: './index.ts' }),
      'packages/shared/index.ts': 'export const shared: number = 1;\n',
      'schemas/thing.ts': "import { shared } from '@acme/shared';\nexport default shared;\n",
    });
    mkdirSync(path.join(root, 'node_modules/@acme'), { recursive: true });
    symlinkSync(path.join(root, 'packages/shared'), path.join(root, 'node_modules/@acme/shared'), 'dir');
    const seen: unknown[] = [];
    for (const value of [1, 2]) {
      writeFileSync(path.join(root, 'packages/shared/index.ts'), `export const shared: number = ${value};\n`);
      loader = await BundleLoader.create();
      seen.push((await loader.import(path.join(root, 'schemas/thing.ts'))).default);
      expect(loader.importedFiles, 'the workspace file is an input (watched, hashed)').to.include(pathToFileURL(path.join(root, 'packages/shared/index.ts')).href);
      expect(loader.importedPackages).to.deep.equal([]);
      await loader.dispose();
      loader = undefined;
    }
    expect(seen).to.deep.equal([1, 2]);
  });

  /**
   * Runs `esre generate` in `root` with a temporary folder of its own; once `started` exists
   * (the config is loading), `interrupt` is called on the process. Resolves with how it ended and
   * the scratch folders left in its temporary folder.
   */
  async function generateInterrupted(root: string, interrupt: (child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; signal: string | null; left: string[] }> {
    const temporary = mkdtempSync(path.join(tmpdir(), 'esre-test-tmp-'));
    try {
      const child = spawn(process.execPath, [path.join(REPO, 'bin/esre.js'), 'generate'], { cwd: root, env: { ...process.env, TMPDIR: temporary }, stdio: 'ignore' });
      const ended = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
      for (let waited = 0; !existsSync(path.join(root, 'started')) && waited < 60_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(existsSync(path.join(root, 'started')), 'the config started loading').to.equal(true);
      interrupt(child);
      const { code, signal } = await ended;
      return { code, signal, left: readdirSync(temporary).filter((name) => name.startsWith('esre-load-')) };
    } finally {
      rmSync(temporary, { recursive: true, force: true });
    }
  }

  /** A config that says it started, then waits (as one awaiting a slow import would) or exits. */
  const configThat = (then: string) =>
    "import { writeFileSync } from 'node:fs';\n" +
    `writeFileSync(${JSON.stringify('started')}, '');\n${then}\nexport default { schemas: ['schemas/*.schema.ts'], output: 'src/generated', rules: 'src/rules' };\n`;

  it('leaves no scratch folder behind when the run is interrupted (Ctrl+C, SIGTERM) while a module loads, and still ends by that signal', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const root = project({ type: 'module' }, { 'esre.config.ts': configThat('await new Promise((resolve) => setTimeout(resolve, 120_000));') });
      const ended = await generateInterrupted(root, (child) => child.kill(signal));
      expect(ended.left, `scratch folders left after ${signal}`).to.deep.equal([]);
      expect(ended.signal, 'the process ends as an interrupted one does').to.equal(signal);
      removeProject(dir);
    }
  });

  it('leaves no scratch folder behind when a module ends the process while it loads', async () => {
    const root = project({ type: 'module' }, { 'esre.config.ts': configThat('process.exit(3);') });
    const ended = await generateInterrupted(root, () => undefined);
    expect(ended.left).to.deep.equal([]);
    expect(ended.code).to.equal(3);
  });

  it('maps to the source an error a module raises after its import returned (a timer, a rejection nobody awaits), as long as the loader lives', async () => {
    const root = project({ type: 'module' }, {
      'schemas/later.ts': "export const later = new Promise((_, reject) => {\n  setTimeout(() => reject(new Error('thrown later')), 0);\n});\nlater.catch(() => undefined);\n",
    });
    // as in the built package: nothing else turns source maps on (tsx, which runs these specifications, does)
    const before = process.sourceMapsEnabled;
    process.setSourceMapsEnabled(false);
    try {
      loader = await BundleLoader.create();
      const { later } = await loader.import(path.join(root, 'schemas/later.ts'));
      const error = await (later as Promise<never>).catch((caught: Error) => caught);
      expect(error.stack).to.include(`${path.join(root, 'schemas/later.ts')}:2:`);
      expect(error.stack).to.not.include('esre-load-');
    } finally {
      await loader?.dispose();
      loader = undefined;
      process.setSourceMapsEnabled(before);
    }
  });

  it('removes its scratch folder when disposed', async () => {
    const before = scratchFolders();
    const root = project({ type: 'module' }, { 'a.ts': 'export default 1;\n' });
    loader = await BundleLoader.create();
    await loader.import(path.join(root, 'a.ts'));
    expect(scratchFolders().length).to.equal(before.length + 1);
    await loader.dispose();
    loader = undefined;
    expect(scratchFolders()).to.deep.equal(before);
  });
});
