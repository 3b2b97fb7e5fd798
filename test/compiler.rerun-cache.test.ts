import { expect } from 'chai';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type GenerateResult, generate, watch } from 'event-sourced-rules-engine/compiler';
import { recordRun } from '../compiler/rerun-cache.js';
import { EXAMPLE, REPO, removeProject, scratchProject } from './compiler.support.js';

/** Each full run loads the schema module in a fresh loader namespace, which counts itself here. */
const loads = () => ((globalThis as Record<string, unknown>).__esreSchemaLoads as number | undefined) ?? 0;

/** Runs generate in `cwd`; says whether it loaded the schema modules (a full run, not one answered from the cache). */
async function ranInFull(cwd: string): Promise<boolean> {
  const before = loads();
  await generate({ cwd });
  return loads() > before;
}

const COUNTING = `(globalThis as Record<string, unknown>).__esreSchemaLoads = (((globalThis as Record<string, unknown>).__esreSchemaLoads as number | undefined) ?? 0) + 1;\n`;

describe('esre generate: a rerun with nothing changed answers from .esre-cache without loading anything', function () {
  this.timeout(120_000);
  let dir: string;
  let first: Awaited<ReturnType<typeof generate>>;
  const file = (relative: string) => path.join(dir, relative);
  const schema = () => file('schemas/account.schema.ts');

  /** Runs generate; says whether it loaded the schema module (a full run) and what it reported. */
  async function run() {
    const before = loads();
    const result = await generate({ cwd: dir });
    return { full: loads() > before, result };
  }

  before(async () => {
    dir = scratchProject('rerun');
    mkdirSync(file('schemas'));
    copyFileSync(path.join(EXAMPLE, 'esre.config.ts'), file('esre.config.ts'));
    writeFileSync(file('tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true } }));
    // the schema module imports a project module (the amount schema) and counts its loads
    writeFileSync(file('schemas/amount.ts'), "import { z } from 'zod';\n\nexport const amount = z.number().positive();\n");
    writeFileSync(
      schema(),
      COUNTING + readFileSync(path.join(EXAMPLE, 'schemas/account.schema.ts'), 'utf8').replace("import * as z from 'zod';", "import * as z from 'zod';\nimport { amount } from './amount.js';")
        .replace('MONEY_DEPOSITED: z.object({ amount: z.number().positive() })', 'MONEY_DEPOSITED: z.object({ amount })'),
    );
    const initial = await run();
    expect(initial.full).to.equal(true);
    first = initial.result;
    expect(first.written.length).to.be.greaterThan(10);
  });
  after(() => removeProject(dir));

  it('reports every generated file unchanged, writes nothing, loads no module; the cache ignores itself for git', async () => {
    const { full: loaded, result } = await run();
    expect(loaded, 'no module loaded').to.equal(false);
    expect(result.written).to.deep.equal([]);
    expect(result.stubsCreated).to.deep.equal([]);
    expect(result.removed).to.deep.equal([]);
    expect(result.unchanged).to.deep.equal([...first.written].sort());
    expect(result.inputs).to.deep.equal(first.inputs);
    expect(result.config).to.deep.equal(first.config);
    expect(result.warnings).to.deep.equal(first.warnings);
    expect(readFileSync(file('.esre-cache/.gitignore'), 'utf8')).to.match(/^\*$/m);
  });

  /** Each change must make the next run a full one, with the change's effect, and the run after it cached again. */
  const changes: { name: string; change: () => void; effect: (result: Awaited<ReturnType<typeof generate>>) => void }[] = [
    {
      name: 'the schema module (same length)',
      change: () => writeFileSync(schema(), readFileSync(schema(), 'utf8').replace('Email', 'EMAIL')),
      effect: (result) => expect(result.written.length).to.be.greaterThan(0),
    },
    {
      name: 'a project module the schema module imports',
      change: () => writeFileSync(file('schemas/amount.ts'), readFileSync(file('schemas/amount.ts'), 'utf8').replace('.positive()', '.min(0)')),
      effect: (result) => expect(result.written).to.include('src/generated/account/events/inbound/MONEY_DEPOSITED.schema.json'),
    },
    {
      name: 'the config',
      change: () => writeFileSync(file('esre.config.ts'), readFileSync(file('esre.config.ts'), 'utf8').replace("eventBusName: 'domain-events'", "eventBusName: 'other-events'")),
      effect: (result) => expect(result.written).to.include('infra/account-service-stack.ts'),
    },
    {
      name: 'a new schema module matching the globs',
      change: () => writeFileSync(file('schemas/note.schema.ts'), COUNTING + "import { z } from 'zod';\nimport { defineAggregate } from 'event-sourced-rules-engine/schema';\n\nexport default defineAggregate({ name: 'note', state: z.object({ text: z.string() }), initial: { text: '' }, inbound: { NOTE_TAKEN: z.object({ text: z.string() }) } });\n"),
      effect: (result) => expect(result.stubsCreated).to.include('src/rules/note/noteTaken.ts'),
    },
    {
      name: 'a deleted rule file',
      change: () => rmSync(file('src/rules/account/moneyDeposited.ts')),
      effect: (result) => expect(result.stubsCreated).to.deep.equal(['src/rules/account/moneyDeposited.ts']),
    },
    {
      name: 'an edited generated file',
      change: () => writeFileSync(file('src/generated/account/types.ts'), `${readFileSync(file('src/generated/account/types.ts'), 'utf8')}// edited\n`),
      effect: (result) => expect(result.written).to.deep.equal(['src/generated/account/types.ts']),
    },
    {
      name: 'a stray generated file in the output folder',
      change: () => writeFileSync(file('src/generated/account/old.ts'), readFileSync(file('src/generated/account/types.ts'), 'utf8')),
      effect: (result) => expect(result.removed).to.deep.equal(['src/generated/account/old.ts']),
    },
    {
      name: 'the lock file',
      change: () => writeFileSync(file('esre.lock.json'), readFileSync(file('esre.lock.json'), 'utf8').replace(/\n$/, '\n\n')),
      effect: (result) => expect(result.written).to.deep.equal(['esre.lock.json']),
    },
    {
      name: "the project's tsconfig.json",
      change: () => writeFileSync(file('tsconfig.json'), JSON.stringify({ compilerOptions: { strict: false } })),
      effect: (result) => expect(result.written).to.deep.equal([]),
    },
    {
      name: 'the cache itself (deleted)',
      change: () => rmSync(file('.esre-cache'), { recursive: true }),
      effect: (result) => expect(result.written).to.deep.equal([]),
    },
  ];
  for (const { name, change, effect } of changes) {
    it(`runs in full after a change to ${name}`, async () => {
      change();
      const changed = await run();
      expect(changed.full, 'a full run').to.equal(true);
      effect(changed.result);
      const again = await run();
      expect(again.full, 'the run after it is cached again').to.equal(false);
      expect(again.result.written).to.deep.equal([]);
    });
  }

  it('fails every run after an incompatible change (the lock comparison is never skipped), and answers from the cache once it is undone', async () => {
    const source = readFileSync(file('schemas/amount.ts'), 'utf8');
    writeFileSync(file('schemas/amount.ts'), source.replace('.min(0)', '.min(0).max(1000)'));
    for (let attempt = 0; attempt < 2; attempt++) {
      const before = loads();
      const error = await generate({ cwd: dir }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect((error as Error | undefined)?.name).to.equal('IncompatibleSchemaError');
      expect(loads(), 'a full run').to.be.greaterThan(before);
    }
    writeFileSync(file('schemas/amount.ts'), source);
    const undone = await run();
    expect(undone.full, 'the inputs of the cached run are back').to.equal(false);
    expect(undone.result.written).to.deep.equal([]);
  });

  it('records nothing (and drops the old record) when a module changed while the run was loading it', async () => {
    const cacheFolder = file('.esre-cache');
    const before = readdirSync(cacheFolder).filter((name) => name.endsWith('.json'));
    expect(before).to.have.length(1);
    const { result } = await run();
    recordRun({
      config: result.config,
      importedHashes: new Map([[schema(), 'the hash when it was loaded']]),
      packages: [],
      settings: [],
      schemaFiles: [schema()],
      written: [],
      unchanged: [],
      userFiles: [],
      run: { unchanged: [], warnings: [], inputs: [], config: result.config },
    });
    expect(existsSync(path.join(cacheFolder, before[0]!))).to.equal(false);
    expect((await run()).full).to.equal(true);
  });
});

describe('esre generate: the rerun cache follows the packages the schema modules import', function () {
  this.timeout(120_000);
  let dir: string;
  const file = (relative: string) => path.join(dir, relative);
  const run = () => ranInFull(dir);
  /** An ES module package in the project's node_modules. */
  const writePackage = (name: string, source: string, dependencies: Record<string, string> = {}) => {
    mkdirSync(file(`node_modules/${name}`), { recursive: true });
    writeFileSync(file(`node_modules/${name}/package.json`), JSON.stringify({ name, version: '1.0.0', type: 'module', exports: './index.js', dependencies }));
    writeFileSync(file(`node_modules/${name}/index.js`), source);
  };

  before(async () => {
    dir = scratchProject('rerun-packages');
    mkdirSync(file('schemas'));
    copyFileSync(path.join(EXAMPLE, 'esre.config.ts'), file('esre.config.ts'));
    // the schema module imports a package, which imports another one (a dependency it declares)
    writePackage('esre-test-limits', "import { floor } from 'esre-test-floor';\n\nexport const minimum = floor;\n", { 'esre-test-floor': '1.0.0' });
    writePackage('esre-test-floor', 'export const floor = 0;\n');
    writeFileSync(
      file('schemas/note.schema.ts'),
      COUNTING +
        "import { z } from 'zod';\nimport { defineAggregate } from 'event-sourced-rules-engine/schema';\nimport { minimum } from 'esre-test-limits';\n\n" +
        "export default defineAggregate({ name: 'note', state: z.object({ length: z.number().min(minimum) }), initial: { length: 0 }, inbound: { NOTE_TAKEN: z.object({ text: z.string() }) } });\n",
    );
    expect(await run(), 'the first run').to.equal(true);
    expect(await run(), 'the second run').to.equal(false);
  });
  after(() => removeProject(dir));

  for (const name of ['esre-test-limits', 'esre-test-floor']) {
    it(`runs in full after a change to the package.json of ${name === 'esre-test-limits' ? 'a package a schema module imports' : 'a package that package depends on'}`, async () => {
      const manifest = file(`node_modules/${name}/package.json`);
      writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('1.0.0', '1.0.1'));
      expect(await run(), 'a full run').to.equal(true);
      expect(await run(), 'the run after it is cached again').to.equal(false);
    });
  }
});

describe('esre generate: the rerun cache in a CommonJS project (no "type" in package.json)', function () {
  this.timeout(120_000);
  let dir: string;
  const file = (relative: string) => path.join(dir, relative);
  const run = () => ranInFull(dir);

  before(async () => {
    dir = scratchProject('rerun-commonjs');
    mkdirSync(file('schemas'));
    writeFileSync(file('package.json'), JSON.stringify({ name: 'commonjs-project', private: true }));
    // a package.json of its own ends the repository's scope: link the packages in, as an install would
    mkdirSync(file('node_modules'));
    symlinkSync(REPO, file('node_modules/event-sourced-rules-engine'), 'dir');
    symlinkSync(path.join(REPO, 'node_modules/zod'), file('node_modules/zod'), 'dir');
    copyFileSync(path.join(EXAMPLE, 'esre.config.ts'), file('esre.config.ts'));
    // the schema module require()s a project module, which imports another
    writeFileSync(file('schemas/limit.ts'), 'export const limit = 10;\n');
    writeFileSync(file('schemas/text.js'), "const { limit } = require('./limit');\nexports.maxLength = limit;\n");
    writeFileSync(
      file('schemas/note.schema.ts'),
      COUNTING +
        "import { z } from 'zod';\nimport { defineAggregate } from 'event-sourced-rules-engine/schema';\nconst { maxLength } = require('./text.js');\n\n" +
        "export default defineAggregate({ name: 'note', state: z.object({ text: z.string() }), initial: { text: '' }, inbound: { NOTE_TAKEN: z.object({ text: z.string().max(maxLength) }) } });\n",
    );
    expect(await run(), 'the first run').to.equal(true);
  });
  after(() => removeProject(dir));

  it('answers a rerun from the cache, and runs in full after a change to a module reached through require()', async () => {
    expect(await run(), 'a rerun with nothing changed').to.equal(false);
    writeFileSync(file('schemas/limit.ts'), 'export const limit = 20;\n');
    expect(await run(), 'after the change: a full run').to.equal(true);
    expect(readFileSync(file('src/generated/note/events/inbound/NOTE_TAKEN.schema.json'), 'utf8')).to.include('"maxLength": 20');
    expect(await run(), 'the run after it is cached again').to.equal(false);
  });
});

describe('esre generate: the rerun cache follows the tsconfig.json and package.json files that decide how modules compile (a monorepo)', function () {
  this.timeout(120_000);
  let dir: string;
  const file = (relative: string) => path.join(dir, relative);
  const run = () => ranInFull(file('app'));
  const inboundSchema = () => JSON.parse(readFileSync(file('app/src/generated/note/events/inbound/NOTE_TAKEN.schema.json'), 'utf8')) as { properties: { text: { minLength?: number; maxLength?: number } } };

  beforeEach(async () => {
    // a workspace root with a shared tsconfig (a paths alias) and a TypeScript workspace package
    // (no build step), and the project, app/, whose tsconfig.json extends the shared one
    dir = scratchProject('rerun-settings');
    const files: Record<string, string> = {
      'package.json': JSON.stringify({ name: 'monorepo', private: true, workspaces: ['app', 'shared'] }),
      'tsconfig.base.json': JSON.stringify({ compilerOptions: { strict: true, paths: { '@limits/*': ['./limits-10/*'] } } }),
      'limits-10/max.ts': 'export const max = 10;\n',
      'limits-20/max.ts': 'export const max = 20;\n',
      'limits-30/max.ts': 'export const max = 30;\n',
      'shared/package.json': JSON.stringify({ name: 'rerun-shared', version: '1.0.0', type: 'module', exports: './min-1.ts' }),
      'shared/min-1.ts': 'export const min = 1;\n',
      'shared/min-0.ts': 'export const min = 0;\n',
      'app/package.json': JSON.stringify({ name: 'app', private: true, type: 'module' }),
      // written as people write tsconfig files: comments, trailing commas
      'app/tsconfig.json': '{\n  // the workspace\'s settings, then ours\n  "extends": "../tsconfig.base.json", /* paths */\n  "compilerOptions": { "noEmit": true, },\n}\n',
      'app/esre.config.ts': readFileSync(path.join(EXAMPLE, 'esre.config.ts'), 'utf8'),
      'app/schemas/note.schema.ts':
        COUNTING +
        "import { z } from 'zod';\nimport { defineAggregate } from 'event-sourced-rules-engine/schema';\nimport { max } from '@limits/max';\nimport { min } from 'rerun-shared';\n\n" +
        "export default defineAggregate({ name: 'note', state: z.object({ text: z.string() }), initial: { text: '' }, inbound: { NOTE_TAKEN: z.object({ text: z.string().min(min).max(max) }) } });\n",
    };
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(file(name)), { recursive: true });
      writeFileSync(file(name), text);
    }
    // hoisted to the workspace root, as npm installs them
    mkdirSync(file('node_modules'));
    symlinkSync(REPO, file('node_modules/event-sourced-rules-engine'), 'dir');
    symlinkSync(path.join(REPO, 'node_modules/zod'), file('node_modules/zod'), 'dir');
    symlinkSync('../shared', file('node_modules/rerun-shared'), 'dir');
    expect(await run(), 'the first run').to.equal(true);
    expect(inboundSchema().properties.text).to.include({ minLength: 1, maxLength: 10 });
    expect(await run(), 'the second run').to.equal(false);
  });
  afterEach(() => removeProject(dir));

  const changes: { name: string; change: () => void; effect: { minLength?: number; maxLength: number } }[] = [
    {
      name: 'the tsconfig the project’s tsconfig.json extends, above the project (a paths alias moved)',
      change: () => writeFileSync(file('tsconfig.base.json'), readFileSync(file('tsconfig.base.json'), 'utf8').replace('limits-10', 'limits-20')),
      effect: { minLength: 1, maxLength: 20 },
    },
    {
      name: 'a new tsconfig.json nearer to a schema module than the project’s',
      change: () => writeFileSync(file('app/schemas/tsconfig.json'), JSON.stringify({ extends: '../tsconfig.json', compilerOptions: { paths: { '@limits/*': ['../../limits-30/*'] } } })),
      effect: { minLength: 1, maxLength: 30 },
    },
    {
      name: 'the package.json of a workspace package (its exports moved)',
      change: () => writeFileSync(file('shared/package.json'), readFileSync(file('shared/package.json'), 'utf8').replace('min-1.ts', 'min-0.ts')),
      effect: { minLength: 0, maxLength: 10 },
    },
  ];
  for (const { name, change, effect } of changes) {
    it(`runs in full after a change to ${name}`, async () => {
      change();
      expect(await run(), 'a full run').to.equal(true);
      expect(inboundSchema().properties.text).to.include(effect);
      expect(await run(), 'the run after it is cached again').to.equal(false);
    });
  }

  it('esre generate --watch regenerates after each of those changes', async () => {
    const runs: { result?: GenerateResult; error?: unknown }[] = [];
    let notify: () => void = () => undefined;
    const watcher = await watch({ cwd: file('app'), debounceMs: 50, onRun: (outcome) => (runs.push(outcome), notify()) });
    try {
      // one after another: each effect adds to the ones before
      const steps = [
        { ...changes[0]!, effect: { minLength: 1, maxLength: 20 } },
        { ...changes[2]!, effect: { minLength: 0, maxLength: 20 } },
        { ...changes[1]!, effect: { minLength: 0, maxLength: 30 } },
      ];
      for (const { name, change, effect } of steps) {
        const next = new Promise<void>((resolve) => (notify = resolve));
        change();
        const tooLate = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no run within 10 s after a change to ${name}`)), 10_000).unref());
        await Promise.race([next, tooLate]);
        // a save can fire more than one event: wait for the runs to settle
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(runs.at(-1)!.error, name).to.equal(undefined);
        expect(inboundSchema().properties.text, name).to.include(effect);
      }
    } finally {
      await watcher.close();
    }
  });
});
