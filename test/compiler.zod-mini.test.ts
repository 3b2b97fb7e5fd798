import { expect } from 'chai';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from 'event-sourced-rules-engine/compiler';
import { EXAMPLE, FIXTURES, REPO, copyExampleInputs, isGenerated, listFiles, removeProject, runCli, runTsc, scratchProject, unformattedTypeScript } from './compiler.support.js';

const MINI = path.join(FIXTURES, 'mini');

/** The account example written with zod/mini, as docs/compiler.md shows it. */
const DOCS_ACCOUNT = [...readFileSync(path.join(REPO, 'docs/compiler.md'), 'utf8').matchAll(/<!-- doc-test: tested-in test\/compiler\.zod-mini\.test\.ts -->\n```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);

/** What a zod/mini module adds to aggregate.ts: zod's English messages, which classic zod loads itself. */
const LOCALE_BLOCKS = [
  "import { config as zodConfig } from 'zod/mini';\nimport english from 'zod/v4/locales/en.js';\n",
  '// zod/mini loads no locale (every issue would read "Invalid input"): English, as classic zod\n' +
    '// does, unless the app has set one (`z.config(...)`) before.\n' +
    'if (!zodConfig().localeError) zodConfig(english());\n\n',
];

describe('esre generate: a zod/mini schema module (golden files)', function () {
  this.timeout(120_000);
  let dir: string;
  let classic: string;

  before(() => {
    dir = scratchProject('mini');
    for (const file of listFiles(MINI)) {
      if (!isGenerated(path.join(MINI, file))) cpSync(path.join(MINI, file), path.join(dir, file));
    }
  });
  after(() => {
    removeProject(dir);
    removeProject(classic);
  });

  it('reproduces the committed generated files byte for byte', async () => {
    const result = await generate({ cwd: dir });
    expect(result.stubsCreated, 'the fixture rules are committed').to.deep.equal([]);
    const committed = listFiles(MINI).filter((file) => isGenerated(path.join(MINI, file)));
    expect([...result.written].sort()).to.deep.equal(committed);
    for (const file of result.written) expect(readFileSync(path.join(dir, file), 'utf8'), file).to.equal(readFileSync(path.join(MINI, file), 'utf8'));
    expect(await unformattedTypeScript(dir, ['src']), 'formatted by construction, the locale lines too').to.deep.equal([]);
  });

  it('generates what the same module written with zod generates: the types, the JSON Schemas byte for byte, the indexes; aggregate.ts only adds the English locale', async () => {
    classic = scratchProject('mini-classic');
    cpSync(path.join(FIXTURES, 'rich'), classic, { recursive: true });
    cpSync(path.join(MINI, 'esre.config.ts'), path.join(classic, 'esre.config.ts'));
    await generate({ cwd: classic });
    const files = listFiles(path.join(MINI, 'src/generated/order'));
    expect(files).to.include.members(['types.ts', 'events.ts', 'indexes.ts', 'events/inbound/ORDER_PLACED.schema.json', 'events/outbound/ORDER_CONFIRMED.schema.json']);
    expect(files).to.deep.equal(listFiles(path.join(classic, 'src/generated/order')));
    for (const file of files) {
      const mini = readFileSync(path.join(MINI, 'src/generated/order', file), 'utf8');
      const zod = readFileSync(path.join(classic, 'src/generated/order', file), 'utf8');
      if (file === 'aggregate.ts') {
        expect(mini).to.not.equal(zod);
        for (const block of LOCALE_BLOCKS) expect(mini, file).to.include(block);
        expect(LOCALE_BLOCKS.reduce((text, block) => text.replace(block, ''), mini), file).to.equal(zod);
        expect(zod, 'a classic zod module does not import zod/mini').to.not.include('zod/mini');
      } else expect(mini, file).to.equal(zod);
    }
  });

  it('type-checks the committed fixture with tsc --strict', () => {
    const { status, output } = runTsc(MINI);
    expect(output).to.equal('');
    expect(status).to.equal(0);
  });

  it('reports an initial state that does not match with the messages zod gives (a fresh process where only zod/mini made schemas)', () => {
    const bad = scratchProject('mini-initial');
    try {
      for (const file of ['esre.config.ts', 'schemas/order.keys.ts']) cpSync(path.join(MINI, file), path.join(bad, file));
      const schema = readFileSync(path.join(MINI, 'schemas/order.schema.ts'), 'utf8');
      cpSync(path.join(MINI, 'schemas/order.schema.ts'), path.join(bad, 'schemas/order.schema.ts'));
      const broken = schema.replace("status: 'draft',", "status: 'open',").replace('lines: [],', "lines: [{ sku: 'A', quantity: 0, unitPrice: 1 }],");
      expect(broken).to.not.equal(schema);
      writeFileSync(path.join(bad, 'schemas/order.schema.ts'), broken);
      const { status, stderr } = runCli(['generate'], bad);
      expect(status).to.equal(1);
      expect(stderr).to.include('initial.status: does not match state: Invalid option: expected one of "draft"|"placed"|"cancelled"');
      expect(stderr).to.include('initial.lines.0.quantity: does not match state: Too small: expected number to be >0');
    } finally {
      removeProject(bad);
    }
  });

  it('a classic zod method on a zod/mini schema (z.string().optional()): the load error says which method and what zod/mini writes instead', () => {
    const bad = scratchProject('mini-method');
    try {
      for (const file of ['esre.config.ts', 'schemas/order.keys.ts']) cpSync(path.join(MINI, file), path.join(bad, file));
      const schema = readFileSync(path.join(MINI, 'schemas/order.schema.ts'), 'utf8');
      const broken = schema.replace('note: z.optional(z.string()),', 'note: z.string().optional(),');
      expect(broken).to.not.equal(schema);
      writeFileSync(path.join(bad, 'schemas/order.schema.ts'), broken);
      for (const command of ['generate', 'check']) {
        const { status, stderr } = runCli([command], bad);
        expect(status, command).to.equal(1);
        expect(stderr, command).to.include(
          'cannot load the module: TypeError: z.string(...).optional is not a function (a zod/mini schema has no .optional() method: wrappers are functions, such as z.optional(x), and checks go to .check(...); see "zod/mini" in docs/compiler.md)',
        );
      }
    } finally {
      removeProject(bad);
    }
  });

  it('esre check judges schema changes alike: moving a module from zod to zod/mini changes no schema; the same breaking edits give the same messages', () => {
    const project = scratchProject('mini-check');
    try {
      cpSync(MINI, project, { recursive: true });
      const schema = path.join(project, 'schemas/order.schema.ts');
      const sources = { mini: readFileSync(schema, 'utf8'), zod: readFileSync(path.join(FIXTURES, 'rich/schemas/order.schema.ts'), 'utf8') };
      expect(runCli(['check'], project).status, 'the fixture passes esre check').to.equal(0);
      writeFileSync(schema, sources.zod);
      const moved = runCli(['check'], project);
      expect(moved.stderr.trim().split('\n'), 'only the locale lines of aggregate.ts are stale').to.deep.equal(['esre check: 1 problem', '  src/generated/order/aggregate.ts: generated file is stale (run esre generate)']);
      const edits = {
        mini: [
          ['percent: z.number().check(z.gte(0), z.lte(100))', 'percent: z.string()'],
          ["status: z.enum(['draft', 'placed', 'cancelled'])", "status: z.enum(['draft', 'placed'])"],
          ['city: z.nullable(z.string()), lines', 'lines'],
        ],
        zod: [
          ['percent: z.number().min(0).max(100)', 'percent: z.string()'],
          ["status: z.enum(['draft', 'placed', 'cancelled'])", "status: z.enum(['draft', 'placed'])"],
          ['city: z.string().nullable(), lines', 'lines'],
        ],
      };
      const verdicts: Record<string, string> = {};
      for (const flavour of ['mini', 'zod'] as const) {
        let source = sources[flavour];
        for (const [from, to] of edits[flavour]) {
          expect(source, flavour).to.include(from!);
          source = source.replace(from!, to!);
        }
        writeFileSync(schema, source);
        const checked = runCli(['check'], project);
        expect(checked.status).to.equal(1);
        verdicts[flavour] = checked.stderr;
      }
      expect(verdicts.mini).to.include('field percent: type changed from number to string');
      expect(verdicts.mini).to.include('enum value "cancelled" removed');
      expect(verdicts.mini).to.include('outbound event ORDER_CONFIRMED');
      expect(verdicts.mini).to.equal(verdicts.zod);
    } finally {
      removeProject(project);
    }
  });

  it('generates, from the account example written with zod/mini as docs/compiler.md shows it, the example\'s committed files but for the locale lines', async () => {
    expect(DOCS_ACCOUNT, 'one block in docs/compiler.md').to.have.length(1);
    const project = scratchProject('mini-account');
    try {
      copyExampleInputs(project);
      writeFileSync(path.join(project, 'schemas/account.schema.ts'), DOCS_ACCOUNT[0]!);
      const result = await generate({ cwd: project });
      expect(result.written.length).to.be.greaterThan(10);
      for (const file of result.written) {
        const mini = readFileSync(path.join(project, file), 'utf8');
        const zod = readFileSync(path.join(EXAMPLE, file), 'utf8');
        if (file.endsWith('/aggregate.ts')) {
          for (const block of LOCALE_BLOCKS) expect(mini, file).to.include(block);
          expect(LOCALE_BLOCKS.reduce((text, block) => text.replace(block, ''), mini), file).to.equal(zod);
        } else expect(mini, file).to.equal(zod);
      }
    } finally {
      removeProject(project);
    }
  });

  it('generates the same files for a versioned inbound event (types, the JSON Schema of every version, the lock, the upcaster stub)', async () => {
    const flavours = {
      mini: { header: "import * as z from 'zod/mini';", v1: 'z.object({ amount: z.number().check(z.positive()) })', v2: "z.object({ amount: z.number().check(z.positive()), currency: z.enum(['EUR', 'USD']) })" },
      zod: { header: "import { z } from 'zod';", v1: 'z.object({ amount: z.number().positive() })', v2: "z.object({ amount: z.number().positive(), currency: z.enum(['EUR', 'USD']) })" },
    };
    const files: Record<string, Record<string, string>> = {};
    for (const [flavour, { header, v1, v2 }] of Object.entries(flavours)) {
      const project = scratchProject(`mini-versioned-${flavour}`);
      try {
        writeFileSync(path.join(project, 'esre.config.ts'), readFileSync(path.join(MINI, 'esre.config.ts'), 'utf8'));
        mkdirSync(path.join(project, 'schemas'));
        writeFileSync(
          path.join(project, 'schemas/account.schema.ts'),
          `${header}\nimport { defineAggregate, versioned } from 'event-sourced-rules-engine/schema';\n\nexport default defineAggregate({\n  name: 'account',\n  state: z.object({ balance: z.number() }),\n  initial: { balance: 0 },\n  inbound: { MONEY_DEPOSITED: versioned({ 1: ${v1}, 2: ${v2} }) },\n});\n`,
        );
        const result = await generate({ cwd: project });
        expect(result.stubsCreated).to.include('src/rules/account/upcasters/moneyDepositedV1ToV2.ts');
        files[flavour] = Object.fromEntries(
          [...result.written, ...result.stubsCreated].filter((file) => !file.endsWith('/aggregate.ts')).map((file) => [file, readFileSync(path.join(project, file), 'utf8')]),
        );
      } finally {
        removeProject(project);
      }
    }
    expect(Object.keys(files.mini!)).to.include.members(['esre.lock.json', 'src/generated/account/types.ts', 'src/generated/account/events/inbound/MONEY_DEPOSITED.schema.json']);
    expect(files.mini).to.deep.equal(files.zod);
  });
});
