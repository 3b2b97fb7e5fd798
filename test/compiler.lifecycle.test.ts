import { expect } from 'chai';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type GenerateResult, STUB_MARKER, check, generate, watch } from 'event-sourced-rules-engine/compiler';
import { EXAMPLE, removeProject, runCli, scratchProject } from './compiler.support.js';

const DEPOSIT_RULE = `import type { AccountRule } from '../../generated/account/types.js';

const moneyDepositedRule: AccountRule<'MONEY_DEPOSITED'> = ({ state, current }) => {
  state.balance += current.amount; // hand-written
  return state;
};

export default moneyDepositedRule;
`;

describe('esre generate and esre check: rule stubs, orphans, stale files', function () {
  this.timeout(60_000);
  let dir: string;
  const file = (relative: string) => path.join(dir, relative);
  const schema = () => file('schemas/account.schema.ts');

  before(async () => {
    dir = scratchProject('lifecycle');
    mkdirSync(file('schemas'));
    copyFileSync(path.join(EXAMPLE, 'esre.config.ts'), file('esre.config.ts'));
    copyFileSync(path.join(EXAMPLE, 'schemas/account.schema.ts'), schema());
  });
  after(() => removeProject(dir));

  it('creates one marked stub per inbound event, typed by its event', async () => {
    const result = await generate({ cwd: dir });
    expect(result.stubsCreated.filter((created) => created.startsWith('src/rules/'))).to.deep.equal([
      'src/rules/account/accountOpened.ts',
      'src/rules/account/emailChanged.ts',
      'src/rules/account/moneyDeposited.ts',
      'src/rules/account/moneyWithdrawn.ts',
    ]);
    const stub = readFileSync(file('src/rules/account/moneyWithdrawn.ts'), 'utf8');
    expect(stub).to.include(STUB_MARKER);
    expect(stub).to.include("AccountRule<'MONEY_WITHDRAWN'>");
    expect(stub).to.include("throw new Error('The MONEY_WITHDRAWN rule of Account is not implemented yet (esre:stub)')");
    expect(readFileSync(file('src/generated/account/rules.index.ts'), 'utf8')).to.include(
      "import moneyWithdrawnRule from '../../rules/account/moneyWithdrawn.js';",
    );
  });

  it('esre check fails on unimplemented stubs, listing them', async () => {
    const result = await check({ cwd: dir });
    expect(result.ok).to.equal(false);
    expect(result.problems.map((problem) => `${problem.kind} ${problem.file}`)).to.deep.equal([
      'unimplemented-rule src/rules/account/accountOpened.ts',
      'unimplemented-rule src/rules/account/emailChanged.ts',
      'unimplemented-rule src/rules/account/moneyDeposited.ts',
      'unimplemented-rule src/rules/account/moneyWithdrawn.ts',
    ]);
  });

  it('keeps an edited stub when regenerating, and writes nothing else', async () => {
    writeFileSync(file('src/rules/account/moneyDeposited.ts'), DEPOSIT_RULE);
    const result = await generate({ cwd: dir });
    expect(readFileSync(file('src/rules/account/moneyDeposited.ts'), 'utf8')).to.equal(DEPOSIT_RULE);
    expect(result.stubsCreated).to.deep.equal([]);
    expect(result.written, 'generated files do not depend on rule files').to.deep.equal([]);
    const problems = (await check({ cwd: dir })).problems.map((problem) => problem.file);
    expect(problems).to.not.include('src/rules/account/moneyDeposited.ts');
    expect(problems).to.have.length(3);
  });

  it('esre check fails on a stale and on a missing generated file; generate repairs exactly those', async () => {
    const aggregate = file('src/generated/account/aggregate.ts');
    writeFileSync(aggregate, readFileSync(aggregate, 'utf8').replace('queryByEmail', 'queryByMail'));
    rmSync(file('src/generated/account/events/outbound/BALANCE_CHANGED.schema.json'));
    const result = await check({ cwd: dir });
    expect(result.problems.filter((problem) => problem.kind === 'stale' || problem.kind === 'missing').map((problem) => `${problem.kind} ${problem.file}`)).to.deep.equal([
      'stale src/generated/account/aggregate.ts',
      'missing src/generated/account/events/outbound/BALANCE_CHANGED.schema.json',
    ].sort((a, b) => (a.split(' ')[1]! < b.split(' ')[1]! ? -1 : 1)));
    const repaired = await generate({ cwd: dir });
    expect([...repaired.written].sort()).to.deep.equal([
      'src/generated/account/aggregate.ts',
      'src/generated/account/events/outbound/BALANCE_CHANGED.schema.json',
    ]);
    expect(readFileSync(aggregate, 'utf8')).to.include('queryByEmail(');
  });

  it('reports a rule whose event left the schema, keeps it, and drops it from the generated code', async () => {
    const original = readFileSync(schema(), 'utf8');
    writeFileSync(schema(), original.replace(/\n\s*EMAIL_CHANGED: z\.object\(\{ email: z\.email\(\) \}\),/, ''));
    expect(readFileSync(schema(), 'utf8')).to.not.include('EMAIL_CHANGED');
    const result = await generate({ cwd: dir });
    expect(result.warnings).to.have.length(2);
    expect(result.warnings[0]).to.match(/^aggregate account, inbound event EMAIL_CHANGED: event removed: stored EMAIL_CHANGED events can no longer be replayed/);
    expect(result.warnings[1]).to.match(/^src\/rules\/account\/emailChanged\.ts: no inbound event of account has this rule file/);
    expect(existsSync(file('src/rules/account/emailChanged.ts'))).to.equal(true);
    expect(result.removed).to.deep.equal(['src/generated/account/events/inbound/EMAIL_CHANGED.schema.json']);
    expect(readFileSync(file('src/generated/account/rules.index.ts'), 'utf8')).to.not.include('emailChanged');
    expect(readFileSync(file('src/generated/account/types.ts'), 'utf8')).to.not.include('EMAIL_CHANGED');
    const checked = await check({ cwd: dir });
    // The lock generate wrote no longer has EMAIL_CHANGED: only the kept rule file is left to report.
    expect(checked.warnings).to.deep.equal(result.warnings.slice(1));
    writeFileSync(schema(), original);
    const restored = await generate({ cwd: dir });
    expect(restored.warnings).to.deep.equal([]);
    expect(restored.stubsCreated, 'the kept rule file is used again').to.deep.equal([]);
  });

  it('the CLI: check exits 1 listing problems; generate prints a one-line summary; help', () => {
    const failed = runCli(['check'], dir);
    expect(failed.status).to.equal(1);
    expect(failed.stderr).to.include('src/rules/account/accountOpened.ts: rule for ACCOUNT_OPENED is not implemented yet (esre:stub)');
    const generated = runCli(['generate'], dir);
    expect(generated.status).to.equal(0);
    expect(generated.stdout.trim().split('\n').at(-1)).to.match(/^esre generate: 0 files written, \d+ unchanged, 0 stubs created \(\d+\.\d\d s\)$/);
    const help = runCli(['--help'], dir);
    expect(help.status).to.equal(0);
    expect(help.stdout).to.include('esre generate [--config <file>] [--watch]');
  });

  it('esre check passes on the account example', async () => {
    const result = await check({ cwd: EXAMPLE });
    expect(result.problems).to.deep.equal([]);
    expect(result.ok).to.equal(true);
  });

  it('esre generate --watch regenerates when a schema module changes', async () => {
    const runs: { result?: GenerateResult; error?: unknown }[] = [];
    let notify: () => void = () => undefined;
    const watcher = await watch({
      cwd: dir,
      debounceMs: 50,
      onRun: (outcome) => {
        runs.push(outcome);
        notify();
      },
    });
    try {
      expect(runs).to.have.length(1);
      expect(runs[0]!.result?.written).to.deep.equal([]);
      const next = new Promise<void>((resolve) => (notify = resolve));
      writeFileSync(schema(), readFileSync(schema(), 'utf8').replace('inbound: {', 'inbound: {\n    ACCOUNT_CLOSED: z.object({ reason: z.string() }),'));
      await next;
      const last = runs.at(-1)!;
      expect(last.error).to.equal(undefined);
      expect(last.result!.stubsCreated).to.deep.equal(['src/rules/account/accountClosed.ts']);
      expect(readFileSync(file('src/generated/account/types.ts'), 'utf8')).to.include('ACCOUNT_CLOSED');
    } finally {
      await watcher.close();
    }
  });
  it('esre generate --watch runs again for a file saved while its first run was reading it', async () => {
    // A modification time after the run started is what a save during the run leaves behind.
    const later = new Date(Date.now() + 60_000);
    utimesSync(schema(), later, later);
    const runs: { result?: GenerateResult; error?: unknown }[] = [];
    let notify: () => void = () => undefined;
    const second = new Promise<void>((resolve) => (notify = () => runs.length >= 2 && resolve()));
    const watcher = await watch({ cwd: dir, debounceMs: 20, onRun: (outcome) => (runs.push(outcome), notify()) });
    try {
      const tooLate = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no second run within 10 s')), 10_000).unref());
      await Promise.race([second, tooLate]);
      expect(runs.map((run) => run.error)).to.deep.equal([undefined, undefined]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(runs, 'once per modification, not again and again').to.have.length(2);
    } finally {
      await watcher.close();
      const now = new Date();
      utimesSync(schema(), now, now);
    }
  });
});
