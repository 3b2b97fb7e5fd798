/**
 * Data written by the release before event versions existed, as each store wrote it (the
 * files in test/fixtures/schema-evolution/, made by its generate.ts on that release), opened by
 * today's stores and read by code where the event and the state have moved on: the same
 * scenario as the contract suite's, on the real old bytes.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { IDBFactory as FakeFactory, IDBKeyRange as FakeKeyRange } from 'fake-indexeddb';
import { fromPlain, type EventStore } from 'event-sourced-rules-engine';
import { IndexedDBEventStore, MemoryStorage, WebStorageEventStore } from 'event-sourced-rules-engine/browser';
import { DynamoEventStore, createEventStoreTable } from 'event-sourced-rules-engine/dynamodb';
import { SqliteEventStore } from 'event-sourced-rules-engine/sqlite';
import { checkSchemaEvolution } from '../runtime/testing/evolution.js';
import { checkGivenOnStoredHistory } from '../runtime/testing/evolution-given.js';
import { useDynamoDBLocal } from './support/dynamodb-local.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'schema-evolution');
const REF = { type: 'ACCOUNT', id: 'acc-1' };
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

describe('data written before event versions existed, read at the current versions', () => {
  it('SQLite: the old file opens, and history, append, recalculate, given/when/then and a state version bump see version 2', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'esre-evolution-'));
    const file = join(folder, 'accounts.db');
    copyFileSync(join(FIXTURES, 'sqlite-v1.db'), file);
    const store = new SqliteEventStore({ filename: file });
    try {
      await evolve(store);
    } finally {
      store.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('Web Storage: the old keys and values, loaded into a storage, read at version 2', async () => {
    const storage = new MemoryStorage();
    for (const [key, value] of Object.entries(JSON.parse(fixture('web-storage-v1.json')) as Record<string, string>)) {
      storage.setItem(key, value);
    }
    await evolve(new WebStorageEventStore({ storage, storageEvents: null }));
  });

  it('IndexedDB: the old object stores, loaded into a database, read at version 2', async () => {
    const dump = JSON.parse(fixture('indexeddb-v1.json')) as { database: string; version: number; stores: Record<string, unknown[]> };
    const factory = new FakeFactory();
    await loadIndexedDB(factory, dump);
    const store = new IndexedDBEventStore({ name: dump.database, indexedDB: factory, IDBKeyRange: FakeKeyRange });
    try {
      await evolve(store);
    } finally {
      await store.close();
    }
  });

  describe('DynamoDB', function () {
    const local = useDynamoDBLocal();

    it('the old items, put into a table of DynamoDB Local, read at version 2', async function () {
      this.timeout(60_000);
      const tableName = 'schema-evolution-fixture';
      await createEventStoreTable(local().client, tableName);
      for (const item of JSON.parse(fixture('dynamodb-v1.json')) as Record<string, unknown>[]) {
        await local().documentClient.send(new PutCommand({ TableName: tableName, Item: item }));
      }
      await evolve(new DynamoEventStore({ client: local().documentClient, tableName }));
    });
  });
});

/** given/when/then on the stored records, then the scenario. */
async function evolve(store: EventStore<any, any, any>): Promise<void> {
  await checkGivenOnStoredHistory(store, REF);
  await checkSchemaEvolution(store, REF);
}

/** Creates the database at the dump's version, with object stores as the old release made them, and puts every value back. */
async function loadIndexedDB(
  factory: IDBFactory,
  dump: { database: string; version: number; stores: Record<string, unknown[]> },
): Promise<void> {
  // The store creates the object stores of its own layout; the dump must fit into them.
  const creator = new IndexedDBEventStore({ name: dump.database, indexedDB: factory, IDBKeyRange: FakeKeyRange });
  await creator.loadSnapshot(REF);
  await creator.close();
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = factory.open(dump.database, dump.version);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const names = Object.keys(dump.stores);
      const tx = db.transaction(names, 'readwrite');
      for (const name of names) for (const value of dump.stores[name]!) tx.objectStore(name).put(fromPlain(value));
      tx.oncomplete = () => resolve();
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}
