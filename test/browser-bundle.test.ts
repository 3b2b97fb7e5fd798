import { expect } from 'chai';
import { bundleForBrowser, forbiddenInputs } from './support/browser/bundle.js';

describe('the ./browser export bundled for the browser', function () {
  this.timeout(30_000);

  it('bundles with esbuild for platform "browser" without any Node builtin, AWS, CDK or SQLite module', async () => {
    const bundle = await bundleForBrowser('runtime/browser/index.ts', 'esm');
    expect(bundle.inputs).to.include('runtime/browser/web-storage-event-store.ts');
    expect(bundle.inputs).to.include('runtime/browser/indexeddb-event-store.ts');
    expect(forbiddenInputs(bundle.inputs)).to.deep.equal([]);
    expect(bundle.code).to.contain('QuotaExceededError');
  });

  it('bundles the core and the browser stores together, as an app would (the bundle the Chromium tests load)', async () => {
    const bundle = await bundleForBrowser('test/support/browser/page-entry.ts');
    expect(bundle.inputs).to.include.members(['runtime/index.ts', 'runtime/browser/index.ts']);
    expect(forbiddenInputs(bundle.inputs)).to.deep.equal([]);
  });

  it('would catch a Node-only import: the SQLite store cannot be bundled for the browser', async () => {
    let inputs: readonly string[] | undefined;
    let failure: unknown;
    try {
      inputs = (await bundleForBrowser('runtime/sqlite/index.ts', 'esm')).inputs;
    } catch (error) {
      failure = error;
    }
    if (failure === undefined) expect(forbiddenInputs(inputs!)).to.not.deep.equal([]);
    else expect(String(failure)).to.match(/Could not resolve|node:|better-sqlite3/);
  });
});
