import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EXAMPLE, REPO, copyExampleInputs, removeProject, runCli, runTsc, scratchProject, treeState } from './compiler.support.js';

/**
 * The blocks of docs/schema-evolution.md this specification runs, in order: the breaking
 * message, the versioned schema, the check output for the stub, the upcaster.
 */
const GUIDE = readFileSync(path.join(REPO, 'docs/schema-evolution.md'), 'utf8');
const [BREAKING_MESSAGE, VERSIONED_DEPOSIT, STUB_PROBLEM, UPCASTER] = [
  ...GUIDE.matchAll(/<!-- doc-test: tested-in test\/compiler\.evolution\.test\.ts -->\n```\w+\n([\s\S]*?)```/g),
].map((match) => match[1]!);

const ORIGINAL_DEPOSIT = 'MONEY_DEPOSITED: z.object({ amount: z.number().positive() }),';
const BREAKING_DEPOSIT = "MONEY_DEPOSITED: z.object({ amount: z.number().positive(), currency: z.enum(['EUR', 'USD']) }),";
/** Writes (with "write") and reads one account on a SQLite file through the generated class; prints what it read. */
const PROBE = `import { SqliteEventStore } from 'event-sourced-rules-engine/sqlite';
import { AccountAggregate } from './src/generated/account/aggregate.js';
import { AccountEvents } from './src/generated/account/events.js';

const store = new SqliteEventStore<any, any, any>({ filename: process.argv[2]! });
try {
  const accounts = new AccountAggregate({ store });
  if (process.argv[3] === 'write') {
    await accounts.append('a-1', AccountEvents.accountOpened({ owner: 'Ada', email: 'ada@example.com' }), AccountEvents.moneyDeposited({ amount: 100 } as never));
  }
  const history: unknown[] = [];
  for await (const event of accounts.history('a-1')) history.push({ type: event.type, payload: event.payload });
  const snapshot = await accounts.recalculate('a-1');
  console.log(JSON.stringify({ history, balance: snapshot.state.balance }));
} finally {
  store.close();
}
`;

describe('esre schema evolution: the account example, edited', function () {
  this.timeout(240_000);
  let dir: string;
  const file = (relative: string) => path.join(dir, relative);
  const schema = () => file('schemas/account.schema.ts');
  const probe = (mode: 'write' | 'read') => {
    const result = spawnSync(process.execPath, ['--conditions=esre-source', '--import', 'tsx', 'probe.ts', file('.data/probe.sqlite'), mode], { cwd: dir, encoding: 'utf8' });
    expect(result.stderr).to.equal('');
    return JSON.parse(result.stdout) as { history: { type: string; payload: unknown }[]; balance: number };
  };

  before(() => {
    expect([BREAKING_MESSAGE, VERSIONED_DEPOSIT, STUB_PROBLEM, UPCASTER].every(Boolean), 'the guide has the four blocks').to.equal(true);
    dir = scratchProject('evolution');
    copyExampleInputs(dir);
    copyFileSync(path.join(EXAMPLE, 'esre.lock.json'), file('esre.lock.json'));
    writeFileSync(file('probe.ts'), PROBE);
    mkdirSync(file('.data'), { recursive: true });
  });
  after(() => removeProject(dir));

  it('passes esre check as committed, and events are written at version 1', () => {
    expect(runCli(['generate'], dir).status).to.equal(0);
    expect(runCli(['check'], dir).status).to.equal(0);
    expect(probe('write')).to.deep.equal({
      history: [
        { type: 'ACCOUNT_OPENED', payload: { owner: 'Ada', email: 'ada@example.com', overdraftLimit: 0 } },
        { type: 'MONEY_DEPOSITED', payload: { amount: 100 } },
      ],
      balance: 100,
    });
  });

  it('a required field added to an inbound event: esre check and esre generate exit 1 with the message, writing nothing', () => {
    const source = readFileSync(schema(), 'utf8');
    expect(source).to.include(ORIGINAL_DEPOSIT);
    writeFileSync(schema(), source.replace(ORIGINAL_DEPOSIT, BREAKING_DEPOSIT));
    const before = treeState(dir);
    const checked = runCli(['check'], dir);
    expect(checked.stderr, 'as docs/schema-evolution.md shows it').to.equal(BREAKING_MESSAGE);
    expect(checked.status).to.equal(1);
    const generated = runCli(['generate'], dir);
    expect(generated.stderr).to.equal(BREAKING_MESSAGE);
    expect(generated.status).to.equal(1);
    expect(treeState(dir)).to.deep.equal(before);
  });

  it('the new shape as version 2: generate creates the typed upcaster stub, and check fails until it is implemented', () => {
    const source = readFileSync(schema(), 'utf8')
      .replace(BREAKING_DEPOSIT, VERSIONED_DEPOSIT!.trim())
      .replace("import { defineAggregate } from 'event-sourced-rules-engine/schema';", "import { defineAggregate, versioned } from 'event-sourced-rules-engine/schema';");
    writeFileSync(schema(), source);
    const generated = runCli(['generate'], dir);
    expect(generated.stderr).to.equal('');
    expect(generated.status).to.equal(0);
    expect(generated.stdout).to.include('created src/rules/account/upcasters/moneyDepositedV1ToV2.ts (yours to edit: never overwritten)');
    const stub = readFileSync(file('src/rules/account/upcasters/moneyDepositedV1ToV2.ts'), 'utf8');
    expect(stub).to.include('export default function moneyDepositedV1ToV2(payload: MoneyDepositedV1Payload): MoneyDepositedV2Payload {');
    expect(stub).to.include('esre:stub');
    const aggregate = readFileSync(file('src/generated/account/aggregate.ts'), 'utf8');
    expect(aggregate).to.include("import moneyDepositedV1ToV2 from '../../rules/account/upcasters/moneyDepositedV1ToV2.js';");
    expect(aggregate).to.include('export const accountUpcasters: Upcasters = {\n  MONEY_DEPOSITED: { version: 2, steps: { 1: moneyDepositedV1ToV2 } },\n};');
    const lock = JSON.parse(readFileSync(file('esre.lock.json'), 'utf8'));
    expect(Object.keys(lock.aggregates.ACCOUNT.inbound.MONEY_DEPOSITED)).to.deep.equal(['1', '2']);

    const checked = runCli(['check'], dir);
    expect(checked.status).to.equal(1);
    expect(checked.stderr, 'as docs/schema-evolution.md shows it').to.equal(STUB_PROBLEM);
  });

  it('a second generate keeps the stub as it is', () => {
    const stub = file('src/rules/account/upcasters/moneyDepositedV1ToV2.ts');
    writeFileSync(stub, `${readFileSync(stub, 'utf8')}// a note of the user\n`);
    expect(runCli(['generate'], dir).status).to.equal(0);
    expect(readFileSync(stub, 'utf8')).to.match(/\/\/ a note of the user\n$/);
  });

  it('with the upcaster implemented: check passes, tsc --strict passes, and events stored at version 1 read as version 2', () => {
    writeFileSync(file('src/rules/account/upcasters/moneyDepositedV1ToV2.ts'), UPCASTER!);
    writeFileSync(file('run.ts'), readFileSync(file('run.ts'), 'utf8').replace(/moneyDeposited\(\{ amount: (-?\d+) \}\)/g, "moneyDeposited({ amount: $1, currency: 'EUR' })"));
    const checked = runCli(['check'], dir);
    expect(checked.stderr).to.equal('');
    expect(checked.status).to.equal(0);
    const tsc = runTsc(dir);
    expect(tsc.output).to.equal('');
    expect(tsc.status).to.equal(0);
    expect(probe('read')).to.deep.equal({
      history: [
        { type: 'ACCOUNT_OPENED', payload: { owner: 'Ada', email: 'ada@example.com', overdraftLimit: 0 } },
        { type: 'MONEY_DEPOSITED', payload: { amount: 100, currency: 'EUR' } },
      ],
      balance: 100,
    });
  });
});
