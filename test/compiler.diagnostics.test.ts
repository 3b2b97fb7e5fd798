import { expect } from 'chai';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type GenerateResult, check, generate, watch } from 'event-sourced-rules-engine/compiler';
import { spawnSync } from 'node:child_process';
import { EXAMPLE, FIXTURES, REPO, removeProject, runCli, scratchProject, treeState } from './compiler.support.js';

/** Copies the account example's config and schema module into `dir`. */
function accountProject(dir: string): void {
  mkdirSync(path.join(dir, 'schemas'), { recursive: true });
  copyFileSync(path.join(EXAMPLE, 'esre.config.ts'), path.join(dir, 'esre.config.ts'));
  copyFileSync(path.join(EXAMPLE, 'schemas/account.schema.ts'), path.join(dir, 'schemas/account.schema.ts'));
}

describe('esre: generated files depend only on the config and the schema modules', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = scratchProject('diag-rules');
    accountProject(dir);
  });
  after(() => removeProject(dir));

  it('writing the rules (publishing outbound events) leaves every generated file up to date: esre check passes', async () => {
    await generate({ cwd: dir });
    const generated = treeState(path.join(dir, 'src/generated'));
    for (const rule of ['accountOpened', 'emailChanged', 'moneyDeposited', 'moneyWithdrawn']) {
      copyFileSync(path.join(EXAMPLE, `src/rules/account/${rule}.ts`), path.join(dir, `src/rules/account/${rule}.ts`));
    }
    expect(readFileSync(path.join(dir, 'src/rules/account/moneyWithdrawn.ts'), 'utf8')).to.include("publish('WITHDRAWAL_REJECTED'");
    const result = await check({ cwd: dir });
    expect(result.problems).to.deep.equal([]);
    const cli = runCli(['check'], dir);
    expect(cli.status, cli.stderr).to.equal(0);
    const again = await generate({ cwd: dir });
    expect(again.written).to.deep.equal([]);
    expect(treeState(path.join(dir, 'src/generated')), 'nothing rewritten').to.deep.equal(generated);
  });

  it('the diagram shows inbound events → rules → state and the outbound events the rules may publish', () => {
    const diagram = readFileSync(path.join(dir, 'src/generated/account/account.md'), 'utf8');
    expect(diagram).to.include('in_MONEY_WITHDRAWN --> rule_MONEY_WITHDRAWN');
    expect(diagram).to.include('rule_MONEY_WITHDRAWN --> state');
    expect(diagram).to.include('rules -. may publish .-> outbound');
    expect(diagram).to.include('out_WITHDRAWAL_REJECTED');
    expect(existsSync(path.join(dir, 'src/generated/account/account.md'))).to.equal(true);
  });
});

describe('esre.config.ts: cdk: false, discovery from subfolders, the summary', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = scratchProject('diag-config');
    accountProject(dir);
  });
  afterEach(() => removeProject(dir));

  it('cdk: false needs no service', async () => {
    writeFileSync(
      path.join(dir, 'esre.config.ts'),
      "import { defineConfig } from 'event-sourced-rules-engine/schema';\n\nexport default defineConfig({ schemas: 'schemas/*.schema.ts', cdk: false });\n",
    );
    const cli = runCli(['generate'], dir);
    expect(cli.status, cli.stderr).to.equal(0);
    expect(existsSync(path.join(dir, 'src/generated/account/aggregate.ts'))).to.equal(true);
    expect(existsSync(path.join(dir, 'infra'))).to.equal(false);
    expect(existsSync(path.join(dir, 'cdk.json'))).to.equal(false);
    expect(runCli(['check'], dir).stderr).to.not.include('service');
  });

  it('the summary counts rule stubs and created infra files apart', () => {
    const first = runCli(['generate'], dir);
    expect(first.status, first.stderr).to.equal(0);
    expect(first.stdout).to.include('  created cdk.json');
    expect(first.stdout).to.include('  created infra/app.ts');
    expect(first.stdout.trim().split('\n').at(-1)).to.match(/^esre generate: \d+ files written, 0 unchanged, 4 stubs created, 2 infra files created \(\d+\.\d\d s\)$/);
    const second = runCli(['generate'], dir);
    expect(second.stdout.trim().split('\n').at(-1)).to.match(/^esre generate: 0 files written, \d+ unchanged, 0 stubs created \(\d+\.\d\d s\)$/);
  });

  it('the library reports infra files apart from rule stubs', async () => {
    const result = await generate({ cwd: dir });
    expect(result.stubsCreated).to.have.length(4);
    expect(result.stubsCreated.every((file) => file.startsWith('src/rules/account/'))).to.equal(true);
    expect(result.infraCreated).to.deep.equal(['cdk.json', 'infra/app.ts']);
  });

  it('finds esre.config.ts in a parent folder, as tsc finds tsconfig.json; paths stay relative to the config', async () => {
    const sub = path.join(dir, 'schemas');
    const cli = runCli(['generate'], sub);
    expect(cli.status, cli.stderr).to.equal(0);
    expect(existsSync(path.join(dir, 'src/generated/account/aggregate.ts'))).to.equal(true);
    expect(existsSync(path.join(sub, 'src')), 'nothing written below the working folder').to.equal(false);
    mkdirSync(path.join(dir, 'src/rules/account/deeper'), { recursive: true });
    const checked = await check({ cwd: path.join(dir, 'src/rules/account/deeper') });
    expect(checked.problems.map((problem) => problem.kind)).to.deep.equal(Array(4).fill('unimplemented-rule'));
  });

  it('without a config in the folder or above it, names the folder and exits 1, writing nothing', () => {
    const empty = scratchProject('diag-noconfig');
    try {
      const cli = runCli(['generate'], empty);
      expect(cli.status).to.equal(1);
      expect(cli.stderr).to.include(`esre: no esre.config.ts in ${empty} or any folder above it`);
      expect(treeState(empty)).to.deep.equal({});
    } finally {
      removeProject(empty);
    }
  });
});

describe('esre: unknown keys in esre.config.ts and in defineAggregate', function () {
  this.timeout(60_000);
  let dir: string;
  const head = "import { defineConfig } from 'event-sourced-rules-engine/schema';\n\nexport default defineConfig(";
  const service = "service: { name: 'svc', eventSource: 'com.example.svc', eventBusName: 'bus' }";
  beforeEach(() => {
    dir = scratchProject('diag-keys');
    accountProject(dir);
  });
  afterEach(() => removeProject(dir));

  const configCases: [string, string, string][] = [
    ['a misspelled top-level key', `{ schemas: 'schemas/*.schema.ts', outptu: 'gen', ${service} }`, 'esre.config.ts: outptu: unknown key; did you mean "output"?'],
    [
      'a misspelled service key',
      "{ schemas: 'schemas/*.schema.ts', service: { name: 'svc', eventSource: 'com.example.svc', eventBusNmae: 'bus' } }",
      'esre.config.ts: service.eventBusNmae: unknown key; did you mean "eventBusName"?',
    ],
    ['a misspelled cdk key', `{ schemas: 'schemas/*.schema.ts', ${service}, cdk: { ouput: 'deploy' } }`, 'esre.config.ts: cdk.ouput: unknown key; did you mean "output"?'],
    [
      'a misspelled api key',
      "{ schemas: 'schemas/*.schema.ts', service: { name: 'svc', eventSource: 'com.example.svc', eventBusName: 'bus', api: { maxBodyByte: 1024 } } }",
      'esre.config.ts: service.api.maxBodyByte: unknown key; did you mean "maxBodyBytes"?',
    ],
    [
      'a misspelled api throttling key',
      "{ schemas: 'schemas/*.schema.ts', service: { name: 'svc', eventSource: 'com.example.svc', eventBusName: 'bus', api: { throttling: { burstLimt: 5 } } } }",
      'esre.config.ts: service.api.throttling.burstLimt: unknown key; did you mean "burstLimit"?',
    ],
    [
      'a misspelled api cors key',
      "{ schemas: 'schemas/*.schema.ts', service: { name: 'svc', eventSource: 'com.example.svc', eventBusName: 'bus', api: { cors: { allowOrigin: ['https://app.example.com'] } } } }",
      'esre.config.ts: service.api.cors.allowOrigin: unknown key; did you mean "allowOrigins"?',
    ],
    ['a key like no other', `{ schemas: 'schemas/*.schema.ts', ${service}, region: 'eu-west-1' }`, 'esre.config.ts: region: unknown key (valid keys: schemas, output, rules, service, cdk)'],
  ];
  for (const [what, body, message] of configCases) {
    it(`config: ${what} is an error naming the file, the key and the nearest valid key; exit 1, nothing written`, () => {
      writeFileSync(path.join(dir, 'esre.config.ts'), `${head}${body});\n`);
      const before = treeState(dir);
      for (const command of ['generate', 'check']) {
        const cli = runCli([command], dir);
        expect(cli.status, command).to.equal(1);
        expect(cli.stderr).to.include(`esre: ${message}`);
      }
      expect(treeState(dir), 'nothing written').to.deep.equal(before);
    });
  }

  const schemaCases: [string, (source: string) => string, string][] = [
    ['a misspelled top-level key', (source) => source.replace('indexes:', 'indexs:'), 'schemas/account.schema.ts: indexs: unknown key; did you mean "indexes"?'],
    [
      'a misspelled key of an index function reference',
      (source) => source.replace("byEmail: 'email'", "byEmail: { module: './keys.ts', export: 'byEmail', exprot: 'byEmail' }"),
      'schemas/account.schema.ts: indexes.byEmail.exprot: unknown key; did you mean "export"?',
    ],
    ['a misspelled api opt-out', (source) => source.replace("name: 'account',", "name: 'account',\n  apii: false,"), 'schemas/account.schema.ts: apii: unknown key; did you mean "api"?'],
    ['an api opt-out that is not a boolean', (source) => source.replace("name: 'account',", "name: 'account',\n  api: 'no' as never,"), 'schemas/account.schema.ts: api: "no" is not true or false'],
  ];
  for (const [what, edit, message] of schemaCases) {
    it(`defineAggregate: ${what} is an error naming the file, the key path and the nearest valid key; exit 1, nothing written`, async () => {
      await generate({ cwd: dir });
      const schema = path.join(dir, 'schemas/account.schema.ts');
      writeFileSync(schema, edit(readFileSync(schema, 'utf8')));
      const before = treeState(dir);
      for (const command of ['generate', 'check']) {
        const cli = runCli([command], dir);
        expect(cli.status, command).to.equal(1);
        expect(cli.stderr).to.include(message);
      }
      expect(treeState(dir), 'nothing written').to.deep.equal(before);
    });
  }

  it('the types reject unknown keys too, at every level (tsc, with and without @ts-expect-error)', () => {
    const types = path.join(FIXTURES, 'types');
    const tsc = (project: string) =>
      spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', project, '--noEmit', '--pretty', 'false'], { encoding: 'utf8' });
    const marked = tsc(path.join(types, 'tsconfig.json'));
    expect(marked.status, marked.stdout).to.equal(0);
    // Without the comments, each marked line must fail to compile, for the reason it names.
    const bare = path.join(types, '.tmp-bare');
    mkdirSync(bare, { recursive: true });
    try {
      const source = readFileSync(path.join(types, 'exact-keys.ts'), 'utf8');
      writeFileSync(path.join(bare, 'exact-keys.ts'), source.replace(/^\s*\/\/ @ts-expect-error .*\n/gm, ''));
      writeFileSync(path.join(bare, 'tsconfig.json'), JSON.stringify({ extends: '../tsconfig.json', include: ['*.ts'] }));
      const output = tsc(path.join(bare, 'tsconfig.json')).stdout;
      const errors = output.split('\n').filter((line) => line.includes('error TS'));
      expect(errors, output).to.have.length((source.match(/@ts-expect-error /g) ?? []).length);
      for (const key of ["'outptu'", "'eventBusNmae'", "'ouput'", "'indexs'", "'cdk' is missing", "'maxBodyByte'", "'burstLimt'", "'apii'"]) {
        expect(output, key).to.include(key);
      }
      expect(output).to.include("Type 'string' is not assignable to type 'never'");
    } finally {
      removeProject(bare);
    }
  });
});

describe('esre: syntax and load errors in the config and schema modules show file:line:column and the message', function () {
  this.timeout(120_000);
  let dir: string;
  let schema: string;
  let original: string;
  before(async () => {
    dir = scratchProject('diag-load');
    accountProject(dir);
    schema = path.join(dir, 'schemas/account.schema.ts');
    original = readFileSync(schema, 'utf8');
    await generate({ cwd: dir });
  });
  after(() => removeProject(dir));
  afterEach(() => writeFileSync(schema, original));

  /** The schema module with `line` (1-based) replaced. */
  const withLine = (line: number, text: string) => original.split('\n').map((current, index) => (index === line - 1 ? text : current)).join('\n');

  const cases: [string, () => string, string][] = [
    ['a syntax error', () => withLine(6, "  name: 'account',,"), 'schemas/account.schema.ts:6:19: cannot load the module: Expected identifier but found ","'],
    [
      'a throw at import',
      () => original.replace("/** A bank account", "const limit = 1;\nthrow new RangeError(`no limit ${limit}`);\n/** A bank account"),
      'schemas/account.schema.ts:5:7: cannot load the module: RangeError: no limit 1',
    ],
    [
      'an import of a missing file',
      () => original.replace("import { defineAggregate }", "import { helper } from './helpers/missing.js';\nimport { defineAggregate }") + 'export const help = helper;\n',
      "schemas/account.schema.ts:2:25: cannot load the module: Cannot find module './helpers/missing.js'",
    ],
    [
      'an import of a missing package',
      () => original.replace("import { defineAggregate }", "import { money } from 'no-such-package-esre';\nimport { defineAggregate }") + 'export const cash = money;\n',
      "schemas/account.schema.ts:2:24: cannot load the module: Cannot find package 'no-such-package-esre'",
    ],
    [
      'an import of a name the module does not export',
      () => original.replace("import { defineAggregate }", "import { defineAggregat as defineAggregate }"),
      "schemas/account.schema.ts:2:10: cannot load the module: SyntaxError: The requested module 'event-sourced-rules-engine/schema' does not provide an export named 'defineAggregat'",
    ],
  ];
  for (const [what, edit, message] of cases) {
    it(`a schema module with ${what}: generate and check exit 1 with the location and the message, nothing written`, () => {
      writeFileSync(schema, edit());
      const before = treeState(dir);
      for (const command of ['generate', 'check']) {
        const cli = runCli([command], dir);
        expect(cli.status, command).to.equal(1);
        expect(cli.stderr, command).to.include(message);
      }
      expect(treeState(dir), 'nothing written').to.deep.equal(before);
    });
  }

  it('a syntax error and a throw in esre.config.ts: generate exits 1 with esre.config.ts:line:column and the message', () => {
    const config = path.join(dir, 'esre.config.ts');
    const text = readFileSync(config, 'utf8');
    try {
      const others = () => Object.fromEntries(Object.entries(treeState(dir)).filter(([file]) => file !== 'esre.config.ts'));
      const before = others();
      writeFileSync(config, text.replace("output: 'src/generated',", "output: 'src/generated' rules"));
      const syntax = runCli(['generate'], dir);
      expect(syntax.status).to.equal(1);
      expect(syntax.stderr).to.match(/esre: esre\.config\.ts:5:\d+: cannot load the config: Expected "\}" but found "rules"/);
      writeFileSync(config, `${text}\nthrow new Error('config exploded');\n`);
      const thrown = runCli(['check'], dir);
      expect(thrown.status).to.equal(1);
      expect(thrown.stderr).to.include(`esre: esre.config.ts:${text.split('\n').length + 1}:7: cannot load the config: config exploded`);
      expect(others(), 'nothing written').to.deep.equal(before);
    } finally {
      writeFileSync(config, text);
    }
  });

  it('generate --watch (run from a subfolder) reports a syntax error with its location, then regenerates once it is fixed', async () => {
    writeFileSync(schema, withLine(6, "  name: 'account',,"));
    const runs: { result?: GenerateResult; error?: unknown }[] = [];
    const watcher = await watch({ cwd: path.join(dir, 'src'), onRun: (outcome) => runs.push(outcome) });
    try {
      expect(runs).to.have.length(1);
      expect(String((runs[0]!.error as Error).message)).to.include('schemas/account.schema.ts:6:19: cannot load the module: Expected identifier but found ","');
      writeFileSync(schema, original);
      const deadline = Date.now() + 30_000;
      while (runs.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(runs.at(-1)!.result, String(runs.at(-1)!.error)).to.not.equal(undefined);
    } finally {
      await watcher.close();
    }
  });
});
