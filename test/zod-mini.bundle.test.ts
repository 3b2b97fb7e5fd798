import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { removeProject } from './compiler.support.js';
import { MINI_PROJECT, bundleAggregate, classicProject, classicZodInputs } from './support/aggregate-bundle.js';
import { forbiddenInputs, nodeGlobals } from './support/browser/bundle.js';

/**
 * Runs a bundle in a fresh Node process (so no classic zod schema was ever made there): appends
 * invalid and valid order events and prints what happened.
 */
function runInFreshProcess(code: string): unknown {
  const folder = mkdtempSync(path.join(tmpdir(), 'esre-zod-bundle-'));
  try {
    const bundle = path.join(folder, 'app.mjs');
    writeFileSync(bundle, code);
    const script = `
      const app = await import(${JSON.stringify(pathToFileURL(bundle).href)});
      const orders = new app.OrderAggregate({ store: new app.InMemoryEventStore() });
      const failure = async (...events) => {
        try {
          await orders.append('o-1', ...events);
          return 'appended';
        } catch (error) {
          return { name: error.name, message: error.message, issues: error.issues };
        }
      };
      const started = app.OrderEvents.orderStarted({ customerId: 'c-1', email: 'c@example.com' });
      const results = [
        await failure(app.OrderEvents.orderStarted({ customerId: 7, email: 'not an email', address: { street: 'x' } })),
        await failure(started, app.OrderEvents.lineAdded({ line: { sku: 'A', quantity: 1.5, unitPrice: -1 } })),
        await failure(started, app.OrderEvents.orderPlaced({ at: 'yesterday', payment: { kind: 'cash' } })),
        await failure(started, app.OrderEvents.orderTagged({ tags: [] })),
        await failure(started, app.OrderEvents.discountApplied({ code: 'X', percent: 10 })),
      ];
      const state = (await orders.get('o-1')).state;
      console.log(JSON.stringify({ results, state }));
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.stderr).to.equal('');
    return JSON.parse(child.stdout);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

describe('a browser bundle of one generated aggregate written with zod/mini', function () {
  this.timeout(120_000);
  let classic: string;

  before(async () => {
    classic = await classicProject();
  });
  after(() => removeProject(classic));

  it('holds zod/mini and no classic zod (the generated files import only the schema module and the runtime), nor any Node-only module', async () => {
    const mini = await bundleAggregate(MINI_PROJECT, { minify: false });
    expect(mini.inputs.some((input) => input.includes('node_modules/zod/v4/mini/'))).to.equal(true);
    expect(mini.inputs).to.include('node_modules/zod/v4/locales/en.js');
    expect(classicZodInputs(mini.inputs)).to.deep.equal([]);
    expect(forbiddenInputs(mini.inputs)).to.deep.equal([]);
    expect(nodeGlobals(mini.code)).to.deep.equal([]);
    const zod = await bundleAggregate(classic, { minify: false });
    expect(classicZodInputs(zod.inputs), 'the check finds classic zod where it is').to.not.deep.equal([]);
  });

  it('is a fraction of the classic zod bundle (minified and gzipped)', async () => {
    const mini = await bundleAggregate(MINI_PROJECT);
    const zod = await bundleAggregate(classic);
    expect(mini.gzipBytes).to.be.lessThan(zod.gzipBytes / 2);
  });

  it('validates with the messages classic zod gives, in a process where only zod/mini ever ran', async () => {
    const mini = runInFreshProcess((await bundleAggregate(MINI_PROJECT, { minify: false })).code) as { results: { message: string }[] };
    const zod = runInFreshProcess((await bundleAggregate(classic, { minify: false })).code);
    expect(mini).to.deep.equal(zod);
    expect(mini.results.slice(0, 4).map((result) => result.message)).to.deep.equal([
      'Invalid inbound ORDER_STARTED payload for ORDER "o-1": customerId: Invalid input: expected string, received number; email: Invalid email address; address.city: Invalid input: expected string, received undefined',
      'Invalid inbound LINE_ADDED payload for ORDER "o-1": line.quantity: Invalid input: expected int, received number; line.unitPrice: Too small: expected number to be >=0',
      'Invalid inbound ORDER_PLACED payload for ORDER "o-1": at: Invalid input: expected date, received string; payment.kind: Invalid discriminator value. Expected \'card\' | \'invoice\'',
      'Invalid inbound ORDER_TAGGED payload for ORDER "o-1": tags: Too small: expected array to have >=1 items',
    ]);
  });
});
