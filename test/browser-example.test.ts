/**
 * The task board of examples/browser in real headless Chromium: built with esbuild as
 * `npm run example:browser` builds it, served from its own loopback server, opened in two tabs
 * of one browser context (one origin, shared storage). Each store the app offers runs the same
 * scenario with the store's default settings; every step leaves a screenshot in
 * test-artifacts/browser-example/<store>/.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildExample } from '../examples/browser/build.js';
import { startExampleServer, type ExampleServer } from '../examples/browser/server.js';
import { launchChromium } from './support/browser/chromium.js';
import { REPO, runCli } from './compiler.support.js';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'browser-example');

describe('the browser example app (task board) in headless Chromium', function () {
  this.timeout(120_000);
  let outdir: string;
  let server: ExampleServer | undefined;
  let browser: Browser | undefined;

  before(async () => {
    outdir = mkdtempSync(join(tmpdir(), 'esre-browser-example-'));
    await buildExample({ outdir });
    server = await startExampleServer(outdir);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    rmSync(outdir, { recursive: true, force: true });
  });

  it('is generated from its zod/mini schema module: the committed generated files are up to date (esre check)', () => {
    const check = runCli(['check'], join(REPO, 'examples/browser'));
    expect(check.status, check.stdout + check.stderr).to.equal(0);
    const scripts = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['example:browser'], 'npm run example:browser generates, then bundles and serves').to.match(/cd examples\/browser && .*esre\.js generate && .*start\.ts$/);
    // docs/browser.md's command block (and the README's sentence) name this script.
    expect(readFileSync(join(REPO, 'docs/browser.md'), 'utf8')).to.contain('\nnpm run example:browser ');
    expect(readFileSync(join(REPO, 'README.md'), 'utf8')).to.contain('`npm run example:browser`');
  });

  for (const store of ['indexeddb', 'local'] as const) {
    describe(`on ${store === 'local' ? 'localStorage' : 'IndexedDB'} (?store=${store})`, () => {
      let context: BrowserContext;
      /** Console errors and page errors of every tab, prefixed with the tab's name. */
      const problems: string[] = [];
      const folder = join(ARTIFACTS, store);
      let shot = 0;

      before(async () => {
        rmSync(folder, { recursive: true, force: true });
        mkdirSync(folder, { recursive: true });
        context = await browser!.newContext({ viewport: { width: 1100, height: 800 } });
      });

      after(async () => {
        await context?.close();
      });

      /** Opens the board in a new tab and waits until it has rendered the stored state. */
      async function openTab(name: string): Promise<Page> {
        const page = await context.newPage();
        page.on('console', (message) => {
          if (message.type() === 'error') problems.push(`${name} console: ${message.text()}`);
        });
        page.on('pageerror', (error) => problems.push(`${name} page error: ${error.message}`));
        await page.goto(`${server!.url}?store=${store}`);
        await page.waitForSelector('body[data-ready="true"]');
        return page;
      }

      /** Saves a screenshot of `page` as the next numbered step. */
      async function screenshot(page: Page, step: string): Promise<void> {
        shot++;
        await page.screenshot({ path: join(folder, `${String(shot).padStart(2, '0')}-${step}.png`), fullPage: true });
      }

      /** The task titles in a column (todo, doing, done, removed, tagged), top to bottom. */
      const titles = (page: Page, column: string) => page.locator(`[data-column="${column}"] [data-task-title]`).allTextContents();

      /** Waits until `page` shows exactly `expected` in `column`. */
      async function expectColumn(page: Page, column: string, expected: string[]): Promise<void> {
        await page.waitForFunction(
          ([column, expected]) =>
            JSON.stringify(Array.from(document.querySelectorAll(`[data-column="${column}"] [data-task-title]`), (node) => node.textContent)) ===
            JSON.stringify(expected),
          [column, expected] as const,
          { timeout: 10_000 },
        ).catch(async () => {
          expect(await titles(page, column), `column ${column}`).to.deep.equal(expected);
        });
      }

      async function addTask(page: Page, title: string, tag: string): Promise<void> {
        await page.fill('input[name="title"]', title);
        await page.fill('input[name="tag"]', tag);
        await page.click('button[type="submit"]');
      }

      const card = (page: Page, title: string) => page.locator('.card', { has: page.locator(`[data-task-title="${title}"]`) }).first();

      let first: Page;
      let second: Page;

      it('shows tasks added in one tab in the other tab', async () => {
        [first, second] = [await openTab('tab 1'), await openTab('tab 2')];
        await addTask(first, 'Buy milk', 'home');
        await expectColumn(first, 'todo', ['Buy milk']);
        await addTask(first, 'Write report', 'work');
        await expectColumn(first, 'todo', ['Buy milk', 'Write report']);
        await screenshot(first, 'tab1-added-two-tasks');
        await expectColumn(second, 'todo', ['Buy milk', 'Write report']);
        await screenshot(second, 'tab2-sees-them');
      });

      it('moves a task to done in one tab; the other tab sees it, and both feeds show the relayed TASK_COMPLETED', async () => {
        await card(second, 'Buy milk').locator('[data-action="forward"]').click();
        await expectColumn(second, 'doing', ['Buy milk']);
        await card(second, 'Buy milk').locator('[data-action="forward"]').click();
        await expectColumn(second, 'done', ['Buy milk']);
        await expectColumn(first, 'done', ['Buy milk']);
        await expectColumn(first, 'todo', ['Write report']);
        for (const page of [first, second]) {
          await page.waitForSelector('#feed [data-feed-event="TASK_COMPLETED"]', { timeout: 10_000 });
          expect(await page.locator('#feed li').allTextContents()).to.have.length(1);
        }
        await screenshot(first, 'tab1-sees-done-and-feed');
      });

      it('lists tasks by tag through the byTag index', async () => {
        await first.fill('#tag-filter input', 'work');
        await expectColumn(first, 'tagged', ['Write report']);
        await first.fill('#tag-filter input', 'home');
        await expectColumn(first, 'tagged', ['Buy milk']);
        await screenshot(first, 'tab1-query-by-tag');
      });

      it('undoes with a compensating event, seen in the log and in the other tab', async () => {
        const undo = second.locator('#undo');
        // The label follows the tab's latest change (the render after the commit sets it).
        await second.waitForFunction(() => document.getElementById('undo')?.textContent === 'Undo moving "Buy milk" to done', undefined, { timeout: 10_000 }).catch(async () => {
          expect(await undo.textContent()).to.equal('Undo moving "Buy milk" to done');
        });
        await undo.click();
        await expectColumn(second, 'doing', ['Buy milk']);
        await expectColumn(first, 'doing', ['Buy milk']);
        // The history keeps every event: the undo is a fourth event, marked as such.
        await second.waitForFunction(() => document.querySelectorAll('#log li').length === 4);
        const log = await second.locator('#log li').evaluateAll((items) =>
          items.map((item) => `${item.getAttribute('data-event-type')}${item.hasAttribute('data-undo') ? ' (undo)' : ''}`),
        );
        expect(log).to.deep.equal(['TASK_MOVED (undo)', 'TASK_MOVED', 'TASK_MOVED', 'TASK_ADDED']);
        // Moving out of done publishes TASK_REOPENED, relayed to both feeds.
        for (const page of [first, second]) await page.waitForSelector('#feed [data-feed-event="TASK_REOPENED"]', { timeout: 10_000 });
        await screenshot(second, 'tab2-undo-with-log');
        // Undo again: the task goes back to todo; undo of the add removes "Write report".
        await undo.click();
        await expectColumn(second, 'todo', ['Buy milk', 'Write report']);
        await first.locator('#undo').click(); // tab 1's latest change: adding "Write report"
        await expectColumn(first, 'todo', ['Buy milk']);
        await expectColumn(first, 'removed', ['Write report']);
        await expectColumn(second, 'removed', ['Write report']);
        await screenshot(first, 'tab1-undo-add');
      });

      it('finds the same state after a reload of both tabs', async () => {
        for (const page of [first, second]) {
          await page.reload();
          await page.waitForSelector('body[data-ready="true"]');
          await expectColumn(page, 'todo', ['Buy milk']);
          await expectColumn(page, 'doing', []);
          await expectColumn(page, 'done', []);
          await expectColumn(page, 'removed', ['Write report']);
        }
        await screenshot(first, 'tab1-after-reload');
      });

      it('shows validation errors next to the fields and writes nothing', async () => {
        await addTask(first, '   ', 'Not a tag!');
        await first.waitForFunction(() => document.getElementById('title-error')?.textContent !== '');
        expect(await first.locator('#title-error').textContent()).to.equal('Enter a title');
        expect(await first.locator('#tag-error').textContent()).to.equal('One word: lowercase letters, digits and dashes (at most 20)');
        expect(await first.locator('input[name="title"]').getAttribute('aria-invalid')).to.equal('');
        await screenshot(first, 'tab1-validation-errors');
        // A valid submit clears the errors; the invalid one added nothing.
        await addTask(first, 'Water plants', 'home');
        await expectColumn(first, 'todo', ['Buy milk', 'Water plants']);
        expect(await first.locator('#title-error').textContent()).to.equal('');
        await expectColumn(second, 'todo', ['Buy milk', 'Water plants']);
        await screenshot(second, 'tab2-after-valid-submit');
      });

      it('logged no console errors and no page errors in either tab', () => {
        expect(problems).to.deep.equal([]);
      });
    });
  }
});
