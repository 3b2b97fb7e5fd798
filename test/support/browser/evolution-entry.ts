/**
 * What the Chromium schema-evolution test loads into its page: the evolution scenario (see
 * runtime/testing/evolution.ts) against `LocalStorageEventStore` and `IndexedDBEventStore` on
 * the page's real storage, once on a history written through the store's `commit` and once on
 * the old release's fixture loaded into that storage. Exposed as `window.esreEvolution.run`.
 */
import { fromPlain, newId } from 'event-sourced-rules-engine';
import { IndexedDBEventStore, LocalStorageEventStore } from 'event-sourced-rules-engine/browser';
import { checkSchemaEvolution, seedUnversionedHistory } from '../../../runtime/testing/evolution.js';
import webStorageFixture from '../../fixtures/schema-evolution/web-storage-v1.json' with { type: 'json' };
import indexedDBFixture from '../../fixtures/schema-evolution/indexeddb-v1.json' with { type: 'json' };

/** One run's outcome. */
export interface EvolutionOutcome {
  readonly title: string;
  readonly error?: string;
}

const FIXTURE_REF = { type: 'ACCOUNT', id: 'acc-1' };

async function outcome(title: string, body: () => Promise<void>): Promise<EvolutionOutcome> {
  try {
    await body();
    return { title };
  } catch (error) {
    return { title, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/** Puts the old release's object-store values into a database the store created. */
async function loadIndexedDB(name: string): Promise<void> {
  const creator = new IndexedDBEventStore({ name });
  await creator.loadSnapshot(FIXTURE_REF);
  await creator.close();
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(name, indexedDBFixture.version);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    const stores = indexedDBFixture.stores as Record<string, unknown[]>;
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(Object.keys(stores), 'readwrite');
      for (const [store, values] of Object.entries(stores)) for (const value of values) tx.objectStore(store).put(fromPlain(value));
      tx.oncomplete = () => resolve();
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

async function run(kind: 'localStorage' | 'indexedDB'): Promise<EvolutionOutcome[]> {
  if (kind === 'localStorage') {
    return [
      await outcome('history written through commit', async () => {
        const store = new LocalStorageEventStore({ namespace: 'seeded' });
        const ref = { type: 'ACCOUNT', id: `seeded-${newId()}` };
        await seedUnversionedHistory(store, ref);
        await checkSchemaEvolution(store, ref);
      }),
      await outcome('the old release fixture', async () => {
        for (const [key, value] of Object.entries(webStorageFixture as Record<string, string>)) localStorage.setItem(key, value);
        await checkSchemaEvolution(new LocalStorageEventStore(), FIXTURE_REF);
      }),
    ];
  }
  return [
    await outcome('history written through commit', async () => {
      const store = new IndexedDBEventStore({ name: `seeded-${newId()}` });
      try {
        const ref = { type: 'ACCOUNT', id: 'seeded' };
        await seedUnversionedHistory(store, ref);
        await checkSchemaEvolution(store, ref);
      } finally {
        await store.close();
      }
    }),
    await outcome('the old release fixture', async () => {
      const name = `fixture-${newId()}`;
      await loadIndexedDB(name);
      const store = new IndexedDBEventStore({ name });
      try {
        await checkSchemaEvolution(store, FIXTURE_REF);
      } finally {
        await store.close();
      }
    }),
  ];
}

(globalThis as unknown as { esreEvolution: { run: typeof run } }).esreEvolution = { run };
