/**
 * The browser stores in real headless Chromium: pages of one origin served from a loopback
 * server, loading the esbuild bundle of the core and `./browser` (exposed as `window.esre`).
 */
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { bundleForBrowser } from './support/browser/bundle.js';
import { launchChromium } from './support/browser/chromium.js';
import type { EsreGlobal } from './support/browser/page-entry.js';
import { startPageServer, type PageServer } from './support/browser/server.js';

/** What the pages keep between `evaluate` calls. */
interface PageGlobals {
  esre: EsreGlobal;
  seen: { ref: { type: string; id: string }; source: string; text: string | undefined; at: string | undefined }[];
  snapshot: unknown;
}

describe('browser stores in headless Chromium', function () {
  this.timeout(60_000);
  let server: PageServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;

  before(async () => {
    const bundle = await bundleForBrowser('test/support/browser/page-entry.ts');
    server = await startPageServer(bundle.code);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  beforeEach(async () => {
    context = await browser!.newContext();
  });

  afterEach(async () => {
    await context?.close();
  });

  /** Opens a page of the test origin with the bundle loaded. */
  async function openPage(path = '/'): Promise<Page> {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(server!.origin + path);
    await page.waitForFunction(() => 'esre' in window);
    expect(errors, 'the bundle loads without errors').to.deep.equal([]);
    return page;
  }

  /** Defines `window.notes()`-style helpers in a page: a NOTE aggregate on the given store. */
  const defineNotes = () => {
    const w = window as unknown as PageGlobals & { notes: (store: unknown) => unknown };
    const { Aggregate, Processor } = w.esre;
    w.notes = (store) =>
      new Aggregate({
        type: 'NOTE',
        store: store as never,
        retry: false,
        processor: new Processor<{ text: string; at: Date | null }, { text: string; at: Date }, { text: string }>(
          {
            EDITED: (input) => {
              input.state.text = input.current.text;
              input.state.at = input.current.at;
              input.publish('NOTE_EDITED', { text: input.current.text });
              return input.state;
            },
          },
          () => ({ text: '', at: null }),
        ),
      });
  };

  type Notes = import('event-sourced-rules-engine').Aggregate<{ text: string; at: Date | null }, { text: string; at: Date }, { text: string }>;

  it("delivers a commit in one page to the other page's subscribe as a remote change (localStorage)", async () => {
    const [writer, reader] = [await openPage('/writer'), await openPage('/reader')];
    for (const page of [writer, reader]) await page.evaluate(defineNotes);
    await reader.evaluate(() => {
      const w = window as unknown as PageGlobals;
      const store = new w.esre.LocalStorageEventStore<{ text: string; at: Date | null }>({ namespace: 'tabs' });
      w.seen = [];
      store.subscribe((change) =>
        w.seen.push({
          ref: change.ref,
          source: change.source,
          text: change.snapshot?.state.text,
          at: change.snapshot?.state.at?.toISOString(),
        }),
      );
    });
    const local = await writer.evaluate(async () => {
      const w = window as unknown as PageGlobals & { notes: (store: unknown) => Notes };
      const store = new w.esre.LocalStorageEventStore({ namespace: 'tabs' });
      const sources: string[] = [];
      store.subscribe((change) => sources.push(change.source));
      const at = new Date('2025-05-06T07:08:09.010Z');
      await w.notes(store).append('shared-note', w.esre.createEvent('EDITED', { text: 'hello from the writer', at }));
      return sources;
    });
    expect(local, 'the writing page hears its own commit as local').to.deep.equal(['local']);
    await reader.waitForFunction(() => (window as unknown as PageGlobals).seen.length > 0);
    const seen = await reader.evaluate(() => (window as unknown as PageGlobals).seen);
    expect(seen).to.deep.equal([
      { ref: { type: 'NOTE', id: 'shared-note' }, source: 'remote', text: 'hello from the writer', at: '2025-05-06T07:08:09.010Z' },
    ]);
    // The reader's own store reads what the writer committed.
    const read = await reader.evaluate(async () => {
      const w = window as unknown as PageGlobals & { notes: (store: unknown) => Notes };
      const snapshot = await w.notes(new w.esre.LocalStorageEventStore({ namespace: 'tabs' })).get('shared-note');
      return { sequence: snapshot.sequence, text: snapshot.state.text };
    });
    expect(read).to.deep.equal({ sequence: 1, text: 'hello from the writer' });
  });

  it('stops remote notifications after unsubscribe', async () => {
    const [writer, reader] = [await openPage('/writer'), await openPage('/reader')];
    for (const page of [writer, reader]) await page.evaluate(defineNotes);
    await reader.evaluate(() => {
      const w = window as unknown as PageGlobals & { stop: () => void; marker: number };
      const store = new w.esre.LocalStorageEventStore({ namespace: 'unsub' });
      w.seen = [];
      w.stop = store.subscribe((change) => w.seen.push({ ref: change.ref, source: change.source, text: undefined, at: undefined }));
      // A second store on a marker key tells us when the writer's later commit has arrived.
      w.marker = 0;
      new w.esre.LocalStorageEventStore({ namespace: 'marker' }).subscribe(() => w.marker++);
    });
    const append = (namespace: string, id: string) =>
      writer.evaluate(
        async ([namespace, id]) => {
          const w = window as unknown as PageGlobals & { notes: (store: unknown) => Notes };
          await w.notes(new w.esre.LocalStorageEventStore({ namespace })).append(id, w.esre.createEvent('EDITED', { text: id, at: new Date() }));
        },
        [namespace, id] as const,
      );
    await append('unsub', 'before');
    await reader.waitForFunction(() => (window as unknown as PageGlobals).seen.length === 1);
    await reader.evaluate(() => (window as unknown as { stop: () => void }).stop());
    await append('unsub', 'after');
    await append('marker', 'm');
    await reader.waitForFunction(() => (window as unknown as { marker: number }).marker === 1);
    const seen = await reader.evaluate(() => (window as unknown as PageGlobals).seen.map((change) => change.ref.id));
    expect(seen).to.deep.equal(['before']);
  });

  it("delivers an IndexedDB commit in one page to the other page's subscribe", async () => {
    const [writer, reader] = [await openPage('/writer'), await openPage('/reader')];
    for (const page of [writer, reader]) await page.evaluate(defineNotes);
    await reader.evaluate(() => {
      const w = window as unknown as PageGlobals;
      w.seen = [];
      new w.esre.IndexedDBEventStore<{ text: string; at: Date | null }>({ name: 'tabs-idb' }).subscribe((change) =>
        w.seen.push({ ref: change.ref, source: change.source, text: change.snapshot?.state.text, at: undefined }),
      );
    });
    await writer.evaluate(async () => {
      const w = window as unknown as PageGlobals & { notes: (store: unknown) => Notes };
      await w.notes(new w.esre.IndexedDBEventStore({ name: 'tabs-idb' })).append('n', w.esre.createEvent('EDITED', { text: 'via IndexedDB', at: new Date() }));
    });
    await reader.waitForFunction(() => (window as unknown as PageGlobals).seen.length > 0);
    const seen = await reader.evaluate(() => (window as unknown as PageGlobals).seen);
    expect(seen).to.deep.equal([{ ref: { type: 'NOTE', id: 'n' }, source: 'remote', text: 'via IndexedDB', at: undefined }]);
  });

  it('keeps IndexedDB data across a reload', async () => {
    const page = await openPage();
    await page.evaluate(defineNotes);
    await page.evaluate(async () => {
      const w = window as unknown as PageGlobals & { notes: (store: unknown) => Notes };
      const store = new w.esre.IndexedDBEventStore({ name: 'reload-test' });
      const notes = w.notes(store);
      await notes.append('kept', w.esre.createEvent('EDITED', { text: 'one', at: new Date('2025-01-01T00:00:00.000Z') }));
      await notes.append('kept', w.esre.createEvent('EDITED', { text: 'two', at: new Date('2025-01-02T00:00:00.000Z') }));
      await store.close();
    });
    await page.reload();
    await page.waitForFunction(() => 'esre' in window);
    await page.evaluate(defineNotes);
    const after = await page.evaluate(async () => {
      const w = window as unknown as PageGlobals & { notes: (store: unknown) => Notes };
      const store = new w.esre.IndexedDBEventStore({ name: 'reload-test' });
      const notes = w.notes(store);
      const snapshot = await notes.get('kept');
      const history: string[] = [];
      for await (const event of notes.history('kept')) history.push((event.payload as { text: string }).text);
      const outbox = (await store.pendingOutbox()).map((record) => (record.payload as { text: string }).text);
      return { sequence: snapshot.sequence, text: snapshot.state.text, at: snapshot.state.at instanceof Date ? snapshot.state.at.toISOString() : null, history, outbox };
    });
    expect(after).to.deep.equal({
      sequence: 2,
      text: 'two',
      at: '2025-01-02T00:00:00.000Z',
      history: ['one', 'two'],
      outbox: ['one', 'two'],
    });
  });

  it('lets exactly one of two pages committing to one aggregate at once win; the other gets ConcurrencyError and no event is lost', async () => {
    const [left, right] = [await openPage('/left'), await openPage('/right')];
    for (const page of [left, right]) await page.evaluate(defineNotes);
    await left.evaluate(async () => {
      const w = window as unknown as PageGlobals & { notes: (store: unknown) => Notes };
      await w.notes(new w.esre.IndexedDBEventStore({ name: 'race' })).append('contested', w.esre.createEvent('EDITED', { text: 'start', at: new Date() }));
    });
    // Both pages read the same snapshot first ...
    for (const page of [left, right]) {
      const sequence = await page.evaluate(async () => {
        const w = window as unknown as PageGlobals & { notes: (store: unknown) => Notes; aggregate: Notes };
        w.aggregate = w.notes(new w.esre.IndexedDBEventStore({ name: 'race' }));
        w.snapshot = await w.aggregate.get('contested');
        return (w.snapshot as { sequence: number }).sequence;
      });
      expect(sequence).to.equal(1);
    }
    // ... then both commit on it at the same time.
    const commit = (page: Page, text: string) =>
      page.evaluate(async (text) => {
        const w = window as unknown as PageGlobals & { aggregate: Notes };
        try {
          await w.aggregate.appendTo(w.snapshot as never, w.esre.createEvent('EDITED', { text, at: new Date() }));
          return 'ok';
        } catch (error) {
          if (error instanceof w.esre.ConcurrencyError) {
            // The loser re-reads and appends again: its event is not lost.
            await w.aggregate.append('contested', w.esre.createEvent('EDITED', { text, at: new Date() }));
            return 'ConcurrencyError';
          }
          return `unexpected ${String(error)}`;
        }
      }, text);
    const outcomes = await Promise.all([commit(left, 'left'), commit(right, 'right')]);
    expect([...outcomes].sort()).to.deep.equal(['ConcurrencyError', 'ok']);
    const history = await left.evaluate(async () => {
      const w = window as unknown as PageGlobals & { aggregate: Notes };
      const texts: string[] = [];
      const sequences: number[] = [];
      for await (const event of w.aggregate.history('contested')) {
        texts.push((event.payload as { text: string }).text);
        sequences.push(event.sequence);
      }
      return { texts, sequences, snapshot: (await w.aggregate.get('contested')).sequence };
    });
    expect(history.sequences).to.deep.equal([1, 2, 3]);
    expect(history.snapshot).to.equal(3);
    const winner = outcomes[0] === 'ok' ? 'left' : 'right';
    const loser = winner === 'left' ? 'right' : 'left';
    expect(history.texts).to.deep.equal(['start', winner, loser]);
  });

  it('fails a commit with StorageQuotaError when localStorage is full, rolling back the keys it wrote and keeping the earlier state intact', async () => {
    const page = await openPage('/quota');
    await page.evaluate(defineNotes);
    const result = await page.evaluate(async () => {
      const w = window as unknown as PageGlobals & { notes: (store: unknown) => Notes };
      localStorage.clear();
      // The real localStorage, with a record of which writes it accepted before refusing one.
      const accepted: string[] = [];
      const storage = {
        get length() {
          return localStorage.length;
        },
        key: (index: number) => localStorage.key(index),
        getItem: (key: string) => localStorage.getItem(key),
        setItem: (key: string, value: string) => {
          localStorage.setItem(key, value);
          accepted.push(key);
        },
        removeItem: (key: string) => localStorage.removeItem(key),
      };
      const store = new w.esre.WebStorageEventStore({ storage, namespace: 'quota' });
      const notes = w.notes(store);
      /** Every key of the namespace with its raw value: what "intact" compares. */
      const raw = () => {
        const entries: [string, string | null][] = [];
        for (let i = 0; i < localStorage.length; i++) {
          const key = localStorage.key(i)!;
          if (key.startsWith('quota/')) entries.push([key, localStorage.getItem(key)]);
        }
        return JSON.stringify(entries.sort(([a], [b]) => (a < b ? -1 : 1)));
      };
      const observe = async () => {
        const history: unknown[] = [];
        for await (const event of store.readHistory({ type: 'NOTE', id: 'q' })) history.push(event);
        return w.esre.serialize({
          snapshot: await store.loadSnapshot({ type: 'NOTE', id: 'q' }),
          history,
          outbox: await store.pendingOutbox(),
        });
      };
      await notes.append('q', w.esre.createEvent('EDITED', { text: 'before', at: new Date() }));
      const before = { state: await observe(), raw: raw() };
      // A commit of a 10,000-character text grows the events key, the outbox key and the snapshot
      // by about 10,000 characters each. Keep 15,000 free: the first write fits, a later one does not.
      const text = 'y'.repeat(10_000);
      localStorage.setItem('reserve', 'r'.repeat(15_000));
      // Fill the rest of the origin's quota, halving the chunk each time one does not fit.
      let fillers = 0;
      for (let size = 1 << 20; size >= 1; ) {
        try {
          localStorage.setItem(`filler-${fillers}`, 'x'.repeat(size));
          fillers++;
        } catch {
          size = Math.floor(size / 2);
        }
      }
      localStorage.removeItem('reserve');
      accepted.length = 0;
      let error: { name: string; key: string | undefined; isLimit: boolean; message: string } | undefined;
      try {
        await notes.append('q', w.esre.createEvent('EDITED', { text, at: new Date() }));
      } catch (caught) {
        error = {
          name: (caught as Error).name,
          key: (caught as { key?: string }).key,
          isLimit: caught instanceof w.esre.StoreLimitError,
          message: (caught as Error).message,
        };
      }
      const written = [...accepted];
      const after = { state: await observe(), raw: raw() };
      for (let i = 0; i < fillers; i++) localStorage.removeItem(`filler-${i}`);
      await notes.append('q', w.esre.createEvent('EDITED', { text: 'fits again', at: new Date() }));
      const final = (await notes.get('q')).state.text;
      return { error, written, sameState: before.state === after.state, sameRaw: before.raw === after.raw, fillers, final };
    });
    expect(result.fillers).to.be.greaterThan(0);
    expect(result.error?.name, result.error?.message).to.equal('StorageQuotaError');
    expect(result.error?.isLimit).to.equal(true);
    expect(result.error?.key).to.match(/^quota\/(outbox|snapshot)\/NOTE\/q$/);
    expect(result.error?.message).to.contain(result.error!.key!);
    // Chromium accepted the events key before refusing a later one; the store then restored it.
    expect(result.written[0], 'a write accepted before the quota error').to.equal('quota/events/NOTE/q/0');
    expect(result.written.slice(-1)[0], 'the restored events key').to.equal('quota/events/NOTE/q/0');
    expect(result.sameRaw, 'every key of the namespace holds its earlier value').to.equal(true);
    expect(result.sameState, 'snapshot, history and outbox unchanged').to.equal(true);
    expect(result.final).to.equal('fits again');
  });
  it("fails an IndexedDB commit beyond the origin's quota with StorageQuotaError, writing nothing", async () => {
    const page = await openPage('/idb-quota');
    await page.evaluate(defineNotes);
    // Chromium's quota for this origin, lowered through the DevTools protocol to 1 MiB.
    const devtools = await context.newCDPSession(page);
    await devtools.send('Storage.overrideQuotaForOrigin', { origin: server!.origin, quotaSize: 1024 * 1024 });
    const result = await page.evaluate(async () => {
      const w = window as unknown as PageGlobals & { notes: (store: unknown) => Notes };
      const store = new w.esre.IndexedDBEventStore({ name: 'idb-quota' });
      const notes = w.notes(store);
      const observe = async () => {
        const history: unknown[] = [];
        for await (const event of store.readHistory({ type: 'NOTE', id: 'q' })) history.push(event);
        return w.esre.serialize({ snapshot: await store.loadSnapshot({ type: 'NOTE', id: 'q' }), history, outbox: await store.pendingOutbox() });
      };
      await notes.append('q', w.esre.createEvent('EDITED', { text: 'before', at: new Date() }));
      const before = await observe();
      let error: { name: string; key: string | undefined; isLimit: boolean; message: string } | undefined;
      try {
        // 1 Mi random characters (Chromium compresses large values, so not one repeated character)
        // in the event, its snapshot and its outbox record: beyond 1 MiB.
        const bytes = new Uint8Array(1 << 20);
        for (let at = 0; at < bytes.length; at += 65_536) crypto.getRandomValues(bytes.subarray(at, at + 65_536));
        const text = Array.from(bytes, (byte) => String.fromCharCode(33 + (byte % 90))).join('');
        await notes.append('q', w.esre.createEvent('EDITED', { text, at: new Date() }));
      } catch (caught) {
        error = {
          name: (caught as Error).name,
          key: (caught as { key?: string }).key,
          isLimit: caught instanceof w.esre.StoreLimitError,
          message: (caught as Error).message,
        };
      }
      const after = await observe();
      await notes.append('q', w.esre.createEvent('EDITED', { text: 'fits again', at: new Date() }));
      const final = (await notes.get('q')).state.text;
      await store.close();
      return { error, unchanged: before === after, final };
    });
    await devtools.send('Storage.overrideQuotaForOrigin', { origin: server!.origin });
    expect(result.error?.name, result.error?.message).to.equal('StorageQuotaError');
    expect(result.error?.isLimit, 'a StoreLimitError').to.equal(true);
    expect(result.error?.key).to.match(/^"idb-quota"\//);
    expect(result.unchanged, 'snapshot, history and outbox unchanged').to.equal(true);
    expect(result.final).to.equal('fits again');
  });
});
