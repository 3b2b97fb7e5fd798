import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { deserializeRecord, serializeRecord } from '../codec.js';
import { idempotencyRecordsOf } from '../commit.js';
import { type CorruptRecordListener, logCorruptRecord, readSkippingCorrupt } from '../corrupt.js';
import { ConcurrencyError, EventSourcingError, StoreError, StoreLimitError } from '../errors.js';
import { checkCommitKeys, checkIndexQuery, checkKey, checkRef } from '../keys.js';
import { listingStart, pageOf } from '../listing.js';
import { checkHistoryOptions, checkOutboxLimit } from '../options.js';
import type {
  AggregateIdPage,
  AggregateRef,
  Commit,
  EventRecord,
  EventStore,
  HistoryOptions,
  IdempotencyRecord,
  ListAggregateIdsOptions,
  OutboxRecord,
  Snapshot,
} from '../types.js';
import { checkSchemaVersion, migrate } from './schema.js';

/** Options of {@link SqliteEventStore}. */
export interface SqliteEventStoreOptions {
  /** Path of the database file (created when missing), or `":memory:"`. */
  readonly filename: string;
  /** Events per page when reading history (default 500). */
  readonly pageSize?: number;
  /** Milliseconds to wait for another connection's write lock before failing (default 5000). */
  readonly busyTimeout?: number;
  /**
   * SQLite's `synchronous` setting. `"FULL"` (default) syncs every commit to disk; `"NORMAL"`
   * is faster and still never corrupts the file, but may lose the last commits on power loss
   * (not on a process crash).
   */
  readonly synchronous?: 'FULL' | 'NORMAL';
  /**
   * Called with each corrupt row skipped while listing pending outbox records or index entries,
   * so other aggregates keep working (default: one `console.error` line naming the row).
   */
  readonly onCorruptRecord?: CorruptRecordListener;
}

interface BodyRow {
  body: string;
}

/**
 * An {@link EventStore} in one SQLite file, through better-sqlite3 (an optional peer
 * dependency, version 12). The file is put in WAL mode; each commit is one `BEGIN IMMEDIATE`
 * transaction, so several processes may share the file and a conflicting commit fails with
 * {@link ConcurrencyError}. Tables are created on open and carry a schema version. Call
 * {@link SqliteEventStore.close} when done.
 */
export class SqliteEventStore<TState = unknown, TInbound = unknown, TOutbound = unknown>
  implements EventStore<TState, TInbound, TOutbound>
{
  /** The file this store was opened on. */
  readonly filename: string;
  readonly #db: BetterSqlite3.Database;
  readonly #pageSize: number;
  readonly #statements: ReturnType<typeof prepare>;
  readonly #commitTransaction: (commit: Commit<TState, TInbound, TOutbound>, rows: CommitRows) => void;
  readonly #onCorrupt: CorruptRecordListener;

  constructor(options: SqliteEventStoreOptions) {
    if (!options || typeof options.filename !== 'string' || options.filename.length === 0) {
      throw new TypeError('SqliteEventStore: `filename` must be a non-empty string');
    }
    const pageSize = options.pageSize ?? 500;
    if (!Number.isInteger(pageSize) || pageSize < 1) {
      throw new TypeError('SqliteEventStore: `pageSize` must be a positive integer');
    }
    this.filename = options.filename;
    this.#pageSize = pageSize;
    this.#onCorrupt = options.onCorruptRecord ?? logCorruptRecord;
    let db: BetterSqlite3.Database;
    try {
      db = new Database(options.filename, { timeout: options.busyTimeout ?? 5000 });
    } catch (error) {
      throw new StoreError(`SqliteEventStore: cannot open ${JSON.stringify(options.filename)}: ${message(error)}`, {
        cause: error,
      });
    }
    try {
      checkSchemaVersion(db, options.filename); // a newer file is refused before WAL mode changes it
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
      migrate(db, options.filename);
    } catch (error) {
      db.close();
      throw wrap(error, `cannot open ${JSON.stringify(options.filename)}`);
    }
    this.#db = db;
    const statements = prepare(db);
    this.#statements = statements;
    const commitTransaction = db.transaction((commit: Commit<TState, TInbound, TOutbound>, rows: CommitRows) => {
      const { ref } = commit;
      const found = statements.snapshotSequence.get(ref.type, ref.id) as { sequence: number } | undefined;
      const actual = found?.sequence ?? 0;
      if (actual !== commit.expectedSequence) {
        throw new ConcurrencyError(ref.type, ref.id, commit.expectedSequence, actual);
      }
      const keys = new Set<string>();
      for (const record of idempotencyRecordsOf(commit)) {
        if (keys.has(record.key) || statements.idempotencyExists.get(ref.type, ref.id, record.key)) {
          throw new ConcurrencyError(ref.type, ref.id, commit.expectedSequence, actual, {
            reason: `idempotency key ${JSON.stringify(record.key)} already used`,
          });
        }
        keys.add(record.key);
      }
      commit.events.forEach((event, i) => statements.insertEvent.run(ref.type, ref.id, event.sequence, rows.events[i]));
      statements.upsertSnapshot.run(ref.type, ref.id, commit.snapshot.sequence, rows.snapshot);
      for (const entry of commit.indexDeletes) statements.deleteIndexEntry.run(ref.type, entry.index, entry.key, ref.id);
      commit.indexPuts.forEach((entry, i) =>
        statements.upsertIndexEntry.run(ref.type, entry.index, entry.key, ref.id, rows.indexPuts[i]),
      );
      commit.outbox.forEach((record, i) =>
        statements.insertOutbox.run(record.id, ref.type, ref.id, rows.outbox[i]),
      );
      idempotencyRecordsOf(commit).forEach((record, i) =>
        statements.insertIdempotency.run(ref.type, ref.id, record.key, rows.idempotency[i]),
      );
    });
    this.#commitTransaction = (commit, rows) => commitTransaction.immediate(commit, rows);
  }

  async commit(commit: Commit<TState, TInbound, TOutbound>): Promise<void> {
    // Serialize everything first: a value that cannot be stored fails before anything is written.
    // Outbox rows are inserted in position order, so the table's row order is (commit, position).
    checkCommitKeys(commit as Commit<unknown, unknown, unknown>);
    const ordered = { ...commit, outbox: [...commit.outbox].sort((a, b) => a.position - b.position) };
    const who = `${commit.ref.type} ${JSON.stringify(commit.ref.id)}`;
    const rows: CommitRows = {
      events: commit.events.map((event) => serializeRecord(event, `event ${event.id} (${event.type}, sequence ${event.sequence}) of ${who}`)),
      snapshot: serializeRecord(commit.snapshot, `the snapshot of ${who}`),
      indexPuts: commit.indexPuts.map((entry) =>
        serializeRecord(entry.snapshot, `index entry ${entry.index} = ${JSON.stringify(entry.key)} of ${who}`),
      ),
      outbox: ordered.outbox.map((record) => serializeRecord(record, `outbox record ${record.id} (${record.type}) of ${who}`)),
      idempotency: idempotencyRecordsOf(commit).map((record) =>
        serializeRecord(record, `idempotency record ${JSON.stringify(record.key)} of ${who}`),
      ),
    };
    try {
      this.#commitTransaction(ordered, rows);
    } catch (error) {
      throw wrap(error, `commit to ${commit.ref.type} ${JSON.stringify(commit.ref.id)} failed`);
    }
  }

  async loadSnapshot(ref: AggregateRef): Promise<Snapshot<TState> | undefined> {
    checkRef(ref);
    const row = this.#run(() => this.#statements.loadSnapshot.get(ref.type, ref.id) as BodyRow | undefined);
    return row && deserializeRecord<Snapshot<TState>>(row.body, rowName('esre_snapshots', ref.type, ref.id));
  }

  async *readHistory(ref: AggregateRef, options: HistoryOptions = {}): AsyncIterable<EventRecord<TInbound>> {
    checkRef(ref);
    const checked = checkHistoryOptions(options);
    const pageSize = checked.pageSize ?? this.#pageSize;
    let after = checked.afterSequence;
    for (;;) {
      const page = this.#run(
        () => this.#statements.historyPage.all(ref.type, ref.id, after, pageSize) as (BodyRow & { sequence: number })[],
      );
      for (const row of page) {
        yield deserializeRecord<EventRecord<TInbound>>(row.body, rowName('esre_events', ref.type, ref.id, String(row.sequence)));
      }
      if (page.length < pageSize) return;
      after = page[page.length - 1]!.sequence;
    }
  }

  async queryIndex(aggregateType: string, index: string, key: string): Promise<Snapshot<TState>[]> {
    checkIndexQuery(aggregateType, index, key);
    const rows = this.#run(
      () => this.#statements.queryIndex.all(aggregateType, index, key) as (BodyRow & { aggregate_id: string })[],
    );
    // SQLite orders text by UTF-8 bytes; sort again so the order is JavaScript's, as in every store.
    rows.sort((a, b) => (a.aggregate_id < b.aggregate_id ? -1 : a.aggregate_id > b.aggregate_id ? 1 : 0));
    return readSkippingCorrupt(rows, this.#onCorrupt, (row) =>
      deserializeRecord<Snapshot<TState>>(row.body, rowName('esre_index_entries', aggregateType, index, key, row.aggregate_id)),
    );
  }

  async loadIdempotencyRecord(
    ref: AggregateRef,
    key: string,
  ): Promise<IdempotencyRecord<TState, TInbound, TOutbound> | undefined> {
    checkRef(ref);
    checkKey('idempotency key', key);
    const row = this.#run(() => this.#statements.loadIdempotency.get(ref.type, ref.id, key) as BodyRow | undefined);
    return row && deserializeRecord<IdempotencyRecord<TState, TInbound, TOutbound>>(row.body, rowName('esre_idempotency', ref.type, ref.id, key));
  }

  async pendingOutbox(options: { limit?: number } = {}): Promise<OutboxRecord<TOutbound>[]> {
    const limit = checkOutboxLimit(options);
    const records: OutboxRecord<TOutbound>[] = [];
    // Rows that cannot be read are skipped (and reported); read on until `limit` good ones.
    let position = 0;
    while (records.length < limit) {
      const wanted = limit - records.length;
      const rows = this.#run(
        () => this.#statements.pendingOutbox.all(position, wanted) as (BodyRow & { position_in_store: number; event_id: string })[],
      );
      records.push(
        ...readSkippingCorrupt(rows, this.#onCorrupt, (row) => deserializeRecord<OutboxRecord<TOutbound>>(row.body, rowName('esre_outbox', row.event_id))),
      );
      if (rows.length < wanted) break;
      position = rows[rows.length - 1]!.position_in_store;
    }
    return records;
  }

  async markPublished(records: readonly OutboxRecord<TOutbound>[]): Promise<void> {
    const remove = this.#db.transaction((ids: string[]) => {
      for (const id of ids) this.#statements.deleteOutbox.run(id);
    });
    this.#run(() => remove.immediate(records.map((record) => record.id)));
  }

  /**
   * Ids of `aggregateType`, ascending by code point (SQLite's text order): one range read of the
   * snapshots' primary key per page.
   */
  async listAggregateIds(aggregateType: string, options?: ListAggregateIdsOptions): Promise<AggregateIdPage> {
    const { limit, after } = listingStart(aggregateType, options);
    const rows = this.#run(() =>
      after === undefined
        ? (this.#statements.listIds.all(aggregateType, limit + 1) as { aggregate_id: string }[])
        : (this.#statements.listIdsAfter.all(aggregateType, after, limit + 1) as { aggregate_id: string }[]),
    );
    return pageOf(
      rows.map((row) => row.aggregate_id),
      limit,
    );
  }

  /** Closes the database file. The store cannot be used afterwards. */
  close(): void {
    if (this.#db.open) this.#db.close();
  }

  #run<T>(read: () => T): T {
    try {
      return read();
    } catch (error) {
      throw wrap(error, `reading ${JSON.stringify(this.filename)} failed`);
    }
  }
}

interface CommitRows {
  events: string[];
  snapshot: string;
  indexPuts: string[];
  outbox: string[];
  idempotency: string[];
}

function prepare(db: BetterSqlite3.Database) {
  return {
    snapshotSequence: db.prepare(
      'SELECT sequence FROM esre_snapshots WHERE aggregate_type = ? AND aggregate_id = ?',
    ),
    loadSnapshot: db.prepare('SELECT body FROM esre_snapshots WHERE aggregate_type = ? AND aggregate_id = ?'),
    upsertSnapshot: db.prepare(
      'INSERT INTO esre_snapshots (aggregate_type, aggregate_id, sequence, body) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE SET sequence = excluded.sequence, body = excluded.body',
    ),
    listIds: db.prepare(
      'SELECT aggregate_id FROM esre_snapshots WHERE aggregate_type = ? ORDER BY aggregate_id LIMIT ?',
    ),
    listIdsAfter: db.prepare(
      'SELECT aggregate_id FROM esre_snapshots WHERE aggregate_type = ? AND aggregate_id > ? ORDER BY aggregate_id LIMIT ?',
    ),
    insertEvent: db.prepare(
      'INSERT INTO esre_events (aggregate_type, aggregate_id, sequence, body) VALUES (?, ?, ?, ?)',
    ),
    historyPage: db.prepare(
      'SELECT sequence, body FROM esre_events WHERE aggregate_type = ? AND aggregate_id = ? AND sequence > ? ' +
        'ORDER BY sequence LIMIT ?',
    ),
    deleteIndexEntry: db.prepare(
      'DELETE FROM esre_index_entries WHERE aggregate_type = ? AND index_name = ? AND index_key = ? AND aggregate_id = ?',
    ),
    upsertIndexEntry: db.prepare(
      'INSERT INTO esre_index_entries (aggregate_type, index_name, index_key, aggregate_id, body) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT (aggregate_type, index_name, index_key, aggregate_id) DO UPDATE SET body = excluded.body',
    ),
    queryIndex: db.prepare(
      'SELECT aggregate_id, body FROM esre_index_entries WHERE aggregate_type = ? AND index_name = ? AND index_key = ?',
    ),
    insertOutbox: db.prepare(
      'INSERT INTO esre_outbox (event_id, aggregate_type, aggregate_id, body) VALUES (?, ?, ?, ?)',
    ),
    pendingOutbox: db.prepare(
      'SELECT position_in_store, event_id, body FROM esre_outbox WHERE position_in_store > ? ORDER BY position_in_store LIMIT ?',
    ),
    deleteOutbox: db.prepare('DELETE FROM esre_outbox WHERE event_id = ?'),
    idempotencyExists: db.prepare(
      'SELECT 1 FROM esre_idempotency WHERE aggregate_type = ? AND aggregate_id = ? AND idempotency_key = ?',
    ),
    loadIdempotency: db.prepare(
      'SELECT body FROM esre_idempotency WHERE aggregate_type = ? AND aggregate_id = ? AND idempotency_key = ?',
    ),
    insertIdempotency: db.prepare(
      'INSERT INTO esre_idempotency (aggregate_type, aggregate_id, idempotency_key, body) VALUES (?, ?, ?, ?)',
    ),
  };
}

const LIMIT_CODES = new Set(['SQLITE_FULL', 'SQLITE_TOOBIG']);

/** Library errors pass through; SQLite's become {@link StoreLimitError} or {@link StoreError}. */
function wrap(error: unknown, context: string): unknown {
  if (error instanceof EventSourcingError || error instanceof TypeError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const text = `SqliteEventStore: ${context}: ${message(error)}`;
  if (typeof code === 'string' && LIMIT_CODES.has(code)) return new StoreLimitError(text, { cause: error });
  return new StoreError(text, { cause: error });
}

/** Names a row in errors: its table and key columns, e.g. `esre_events/ACCOUNT/a-1/3`. */
function rowName(table: string, ...key: string[]): string {
  return [table, ...key].join('/');
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
