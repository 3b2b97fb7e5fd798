/**
 * The first set-up command of README.md and CONTRIBUTING.md, `npm run example`, runs the account example on a SQLite file it
 * creates; a second run starts from the state the first one stored. Runs the example's `run.ts`
 * (the part of the command after `esre generate`) twice in a scratch copy, so the developer's
 * own `examples/account/.data/` is left alone.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { SqliteEventStore } from 'event-sourced-rules-engine/sqlite';
import { EXAMPLE, REPO, listFiles, removeProject, scratchProject } from './compiler.support.js';

describe('npm run example on SQLite', function () {
  this.timeout(120_000);
  let dir: string | undefined;

  after(() => removeProject(dir));

  function runExample(cwd: string): string {
    const run = spawnSync(process.execPath, ['--conditions=esre-source', '--import', 'tsx', 'run.ts'], {
      cwd,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, `run.ts failed:\n${run.stdout}\n${run.stderr}`).to.equal(0);
    return run.stdout;
  }

  it('creates the database file on the first run, and the second run starts from the stored state', async () => {
    const script = (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts
      .example;
    expect(script, 'the example script runs run.ts in examples/account').to.match(/cd examples\/account .*run\.ts/);

    dir = scratchProject('sqlite-example');
    for (const file of listFiles(EXAMPLE)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      cpSync(path.join(EXAMPLE, file), path.join(dir, file));
    }
    const database = path.join(dir, '.data', 'accounts.sqlite');
    expect(existsSync(database)).to.equal(false);

    const first = runExample(dir);
    expect(first).to.contain('account account-1: sequence 0 before this run');
    expect(first).to.contain('account account-1: sequence 5 after this run');
    expect(first).to.contain('queryByEmail("ada.lovelace@example.com"): account-1');
    expect(existsSync(database), 'the run created its SQLite file').to.equal(true);

    const second = runExample(dir);
    expect(second).to.contain('account account-1: sequence 5 before this run');
    expect(second).to.contain('account account-1: sequence 9 after this run');
    expect(second, 'the stored email moves back').to.contain('queryByEmail("ada@example.com"): account-1');

    // What the runs left is an ordinary SqliteEventStore file: 9 events, snapshot at 9.
    const store = new SqliteEventStore({ filename: database });
    try {
      const ref = { type: 'ACCOUNT', id: 'account-1' };
      const sequences: number[] = [];
      for await (const event of store.readHistory(ref)) sequences.push(event.sequence);
      expect(sequences).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect((await store.loadSnapshot(ref))?.sequence).to.equal(9);
    } finally {
      store.close();
    }
  });
});
