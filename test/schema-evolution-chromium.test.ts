/**
 * The schema-evolution scenario in real headless Chromium, against `LocalStorageEventStore` and
 * `IndexedDBEventStore` on the page's storage: a version-1 history written through the store,
 * and the old release's Web Storage and IndexedDB fixtures loaded into the page's storage.
 */
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { bundleForBrowser } from './support/browser/bundle.js';
import { launchChromium } from './support/browser/chromium.js';
import type { EvolutionOutcome } from './support/browser/evolution-entry.js';
import { startPageServer, type PageServer } from './support/browser/server.js';

describe('schema evolution in headless Chromium', function () {
  this.timeout(120_000);
  let server: PageServer | undefined;
  let browser: Browser | undefined;

  before(async () => {
    const bundle = await bundleForBrowser('test/support/browser/evolution-entry.ts');
    server = await startPageServer(bundle.code);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const kind of ['localStorage', 'indexedDB'] as const) {
    it(`${kind === 'localStorage' ? 'LocalStorageEventStore' : 'IndexedDBEventStore'} serves version-1 data at version 2 and rebuilds snapshots of another version`, async () => {
      const context = await browser!.newContext();
      try {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(error.message));
        await page.goto(server!.origin + '/');
        await page.waitForFunction(() => 'esreEvolution' in window);
        const outcomes = await page.evaluate(
          (which) => (window as unknown as { esreEvolution: { run(kind: string): Promise<EvolutionOutcome[]> } }).esreEvolution.run(which),
          kind,
        );
        expect(errors).to.deep.equal([]);
        expect(outcomes).to.deep.equal([{ title: 'history written through commit' }, { title: 'the old release fixture' }]);
      } finally {
        await context.close();
      }
    });
  }
});
