import { expect } from 'chai';
import { bundleForBrowser, forbiddenInputs, nodeGlobals } from './support/browser/bundle.js';

describe('the ./browser export bundled for the browser', function () {
  this.timeout(30_000);

  it('bundles with esbuild for platform "browser" without any Node builtin, Node global, AWS, CDK or SQLite module', async () => {
    const bundle = await bundleForBrowser('runtime/browser/index.ts', 'esm');
    expect(bundle.inputs).to.include('runtime/browser/web-storage-event-store.ts');
    expect(bundle.inputs).to.include('runtime/browser/indexeddb-event-store.ts');
    expect(forbiddenInputs(bundle.inputs)).to.deep.equal([]);
    expect(nodeGlobals(bundle.code)).to.deep.equal([]);
    expect(bundle.code).to.contain('QuotaExceededError');
  });

  it('bundles the core and the browser stores together, as an app would (the bundle the Chromium tests load)', async () => {
    const bundle = await bundleForBrowser('test/support/browser/page-entry.ts');
    expect(bundle.inputs).to.include.members(['runtime/index.ts', 'runtime/browser/index.ts']);
    expect(forbiddenInputs(bundle.inputs)).to.deep.equal([]);
    expect(nodeGlobals(bundle.code)).to.deep.equal([]);
  });

  describe('would catch something Node-only pulled in', () => {
    const withBrowser = (extra: string) => ({ source: `export * from 'event-sourced-rules-engine/browser';\n${extra}\n` });

    async function failure(entry: string | { source: string }): Promise<string> {
      try {
        await bundleForBrowser(entry, 'esm');
      } catch (error) {
        return String(error);
      }
      throw new Error('the bundle built');
    }

    it('a Node builtin: esbuild refuses to bundle it', async () => {
      expect(await failure(withBrowser(`export { readFileSync } from 'node:fs';`))).to.match(/Could not resolve "node:fs"/);
    });

    it('the SQLite store: better-sqlite3 needs Node builtins', async () => {
      expect(await failure('runtime/sqlite/index.ts')).to.match(/better-sqlite3.*Could not resolve "(fs|path|util)"/);
    });

    it('an AWS module, which bundles for the browser: listed as a forbidden input', async () => {
      const bundle = await bundleForBrowser(withBrowser(`export { marshall } from '@aws-sdk/util-dynamodb';`), 'esm');
      expect(forbiddenInputs(bundle.inputs)).to.include('node_modules/@aws-sdk/util-dynamodb/dist-es/index.js');
    });

    it('another store of this package: listed as a forbidden input', async () => {
      const bundle = await bundleForBrowser(withBrowser(`export { OutboxRelay } from 'event-sourced-rules-engine/outbox';`), 'esm');
      expect(forbiddenInputs(bundle.inputs).some((input) => input.startsWith('runtime/outbox/'))).to.equal(true);
    });

    it('a Node global: found in the bundled code', async () => {
      const bundle = await bundleForBrowser(withBrowser(`export const home = () => process.env.HOME + Buffer.from('x').length;`), 'esm');
      expect(nodeGlobals(bundle.code)).to.deep.equal(['process.env', 'Buffer.']);
    });
  });
});
