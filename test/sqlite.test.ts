import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { ConcurrencyError, StoreError, createEvent, type EventRecord } from 'event-sourced-rules-engine';
import { SqliteEventStore, SqliteSchemaVersionError, SQLITE_SCHEMA_VERSION } from 'event-sourced-rules-engine/sqlite';
import { describeEventStoreContract } from 'event-sourced-rules-engine/testing';
import {
  COUNTER_ID,
  COUNTER_TYPE,
  counterAggregate,
  counterProcessor,
  type Counter,
  type Deposited,
  type Noted,
} from './support/sqlite-counter.js';

const folder = mkdtempSync(join(tmpdir(), 'esre-sqlite-'));
const opened: SqliteEventStore<any, any, any>[] = [];

function open<S = any, I = any, O = any>(filename: string): SqliteEventStore<S, I, O> {
  const store = new SqliteEventStore<S, I, O>({ filename });
  opened.push(store);
  return store;
}

after(() => {
  for (const store of opened) store.close();
  rmSync(folder, { recursive: true, force: true });
});

let shared: SqliteEventStore<any, any, any> | undefined;
describeEventStoreContract('SqliteEventStore', () => (shared ??= open(join(folder, 'contract.db'))));

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('SqliteEventStore', () => {
  it('creates its tables on open, in WAL mode, with the schema version in user_version', () => {
    const filename = join(folder, 'fresh.db');
    open(filename).close();
    const db = new Database(filename, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).to.equal(SQLITE_SCHEMA_VERSION);
      expect(db.pragma('journal_mode', { simple: true })).to.equal('wal');
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
        name: string;
      }[]).map((row) => row.name);
      expect(tables).to.include.members([
        'esre_events',
        'esre_idempotency',
        'esre_index_entries',
        'esre_outbox',
        'esre_snapshots',
      ]);
    } finally {
      db.close();
    }
  });

  it('refuses a database with a newer schema version, naming the file and both versions', () => {
    const filename = join(folder, 'newer.db');
    const db = new Database(filename);
    db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => new SqliteEventStore({ filename })).to.throw(SqliteSchemaVersionError, /newer\.db.*version 2.*up to 1/s);
    const after = new Database(filename, { readonly: true });
    try {
      expect(after.pragma('journal_mode', { simple: true }), 'the file was not switched to WAL').to.equal('delete');
      expect(after.pragma('user_version', { simple: true })).to.equal(SQLITE_SCHEMA_VERSION + 1);
      expect(after.prepare("SELECT count(*) AS n FROM sqlite_master").get()).to.deep.equal({ n: 0 });
    } finally {
      after.close();
    }
  });

  it('fails with a StoreError naming the file when it is not a SQLite database', () => {
    const filename = join(folder, 'not-a-database.db');
    writeFileSync(filename, 'this is plain text, not SQLite '.repeat(200));
    expect(() => new SqliteEventStore({ filename })).to.throw(StoreError, /not-a-database\.db/);
  });

  it('rejects bad options with a clear TypeError', () => {
    expect(() => new SqliteEventStore({ filename: '' })).to.throw(TypeError, /filename/);
    expect(() => new SqliteEventStore({ filename: ':memory:', pageSize: 0 })).to.throw(TypeError, /pageSize/);
  });

  it('keeps state across close and reopen (dates included), and an aggregate on it works end to end', async () => {
    const filename = join(folder, 'reopen.db');
    const first = counterAggregate(open<Counter, Deposited, Noted>(filename));
    const at = new Date('2025-03-04T05:06:07.089Z');
    await first.append(COUNTER_ID, createEvent('DEPOSITED', { amount: 5, at }), createEvent('DEPOSITED', { amount: 7, at }));
    (first.store as SqliteEventStore).close();

    const store = open<Counter, Deposited, Noted>(filename);
    const again = counterAggregate(store);
    const snapshot = await again.get(COUNTER_ID);
    expect(snapshot.sequence).to.equal(2);
    expect(snapshot.state.total).to.equal(12);
    expect(snapshot.state.lastAt).to.be.instanceOf(Date);
    expect(snapshot.state.lastAt!.toISOString()).to.equal(at.toISOString());
    expect((await store.pendingOutbox()).map((record) => record.payload)).to.deep.equal([{ total: 5 }, { total: 12 }]);
  });

  it('lets only one of two connections to one file win a commit at the same sequence', async () => {
    const filename = join(folder, 'two-connections.db');
    const one = counterAggregate(open<Counter, Deposited, Noted>(filename));
    const two = counterAggregate(open<Counter, Deposited, Noted>(filename));
    const start = await one.append('shared', createEvent('DEPOSITED', { amount: 1, at: new Date() }));
    await one.appendTo(start.snapshot, createEvent('DEPOSITED', { amount: 2, at: new Date() }));
    let caught: unknown;
    try {
      await two.appendTo(start.snapshot, createEvent('DEPOSITED', { amount: 3, at: new Date() }));
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(ConcurrencyError);
    const history = await collect(two.history('shared'));
    expect(history.map((event) => (event.payload as Deposited).amount)).to.deep.equal([1, 2]);
  });

  describe('when the process is killed in the middle of a run of appends', function () {
    this.timeout(60_000);
    let child: ChildProcess | undefined;
    afterEach(() => {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });

    it('leaves a database that opens and whose last snapshot is the fold of its history', async () => {
      const filename = join(folder, 'killed.db');
      const script = fileURLToPath(new URL('./support/sqlite-append-loop.ts', import.meta.url));
      child = spawn(process.execPath, ['--conditions=esre-source', '--import', 'tsx', script, filename], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (chunk) => (stderr += chunk));
      const exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()));

      // Wait until the file shows progress, then kill without warning.
      const watcher = open<Counter, Deposited, Noted>(filename);
      const target = 300;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`the appending process exited early: ${stderr}`);
        const sequence = (await watcher.loadSnapshot({ type: COUNTER_TYPE, id: COUNTER_ID }))?.sequence ?? 0;
        if (sequence >= target) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      child.kill('SIGKILL');
      await exited;
      expect(child.signalCode).to.equal('SIGKILL');
      watcher.close();

      const store = open<Counter, Deposited, Noted>(filename);
      const snapshot = await store.loadSnapshot({ type: COUNTER_TYPE, id: COUNTER_ID });
      const history: EventRecord<Deposited>[] = await collect(store.readHistory({ type: COUNTER_TYPE, id: COUNTER_ID }));
      expect(snapshot, 'a snapshot survived').to.not.equal(undefined);
      expect(snapshot!.sequence).to.be.at.least(target);
      expect(history.map((event) => event.sequence)).to.deep.equal(history.map((_, i) => i + 1));
      expect(snapshot!.sequence).to.equal(history.length);
      const folded = counterProcessor().run({
        state: counterProcessor().initialState(),
        stateIndex: 0,
        newEvents: history,
      });
      expect(snapshot!.state).to.deep.equal(folded.state);
      expect((await store.pendingOutbox({ limit: 1_000_000 })).length, 'one outbox record per event').to.equal(
        history.length,
      );
    });
  });
});
