/**
 * The contract's codec table (with the key, option and same-key race checks) in real headless
 * Chromium, against `LocalStorageEventStore` and `IndexedDBEventStore` on the page's storage.
 */
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { bundleForBrowser } from './support/browser/bundle.js';
import { launchChromium } from './support/browser/chromium.js';
import type { Outcome } from './support/browser/codec-entry.js';
import { startPageServer, type PageServer } from './support/browser/server.js';

describe('the codec table in headless Chromium', function () {
  this.timeout(120_000);
  let server: PageServer | undefined;
  let browser: Browser | undefined;

  before(async () => {
    const bundle = await bundleForBrowser('test/support/browser/codec-entry.ts');
    server = await startPageServer(bundle.code);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const kind of ['localStorage', 'indexedDB'] as const) {
    it(`holds for ${kind === 'localStorage' ? 'LocalStorageEventStore' : 'IndexedDBEventStore'}`, async () => {
      const context = await browser!.newContext();
      try {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(error.message));
        await page.goto(server!.origin + '/');
        await page.waitForFunction(() => 'esreCodec' in window);
        const outcomes = await page.evaluate(
          (which) => (window as unknown as { esreCodec: { run(kind: string): Promise<Outcome[]> } }).esreCodec.run(which),
          kind,
        );
        expect(errors).to.deep.equal([]);
        expect(outcomes.length).to.be.at.least(30);
        expect(outcomes.filter((outcome) => outcome.error)).to.deep.equal([]);
      } finally {
        await context.close();
      }
    });
  }
});
