/**
 * The browser example (examples/browser, the task board): the size of its bundle, built as
 * `npm run example:browser` builds it (esbuild, minified ESM, schema module in `zod/mini`), and
 * the same app with classic `zod` (an esbuild alias) beside it; and the time to open the app
 * in headless Chromium until the board is rendered, with 10,000 stored events against 10
 * (10 tasks either way, the same state), on IndexedDB and on localStorage. Each board is
 * served from an origin of its own, written there by a seed script through the generated
 * aggregate.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { buildExample, type BuiltExample } from '../../examples/browser/build.js';
import { startExampleServer } from '../../examples/browser/server.js';
import { bundleForBrowser } from '../../test/support/browser/bundle.js';
import { launchChromium } from '../../test/support/browser/chromium.js';
import { ms } from '../lib/format.js';
import { figureRow, pairedRow } from '../lib/rows.js';
import type { BenchRow } from '../lib/row.js';
import { progress } from '../lib/time.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 25);
const TASKS = 10;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function sizes(built: BuiltExample): string {
  const parts = Object.entries(built.bytesByPackage)
    .sort(([, a], [, b]) => b - a)
    .map(([name, bytes]) => `${name} ${kb(bytes)}`);
  return `${kb(built.bytes)} minified, ${kb(built.gzipBytes)} gzip (minified: ${parts.join(', ')})`;
}

/** Opens the board of `query` in a new tab; milliseconds from navigation to the rendered board. */
async function openTime(context: BrowserContext, url: string, query: string): Promise<number> {
  const page = await context.newPage();
  try {
    await page.goto(`${url}?${query}`);
    await page.waitForSelector('body[data-ready="true"]');
    const { rendered, cards } = await page.evaluate(() => ({
      rendered: performance.getEntriesByName('task-board:rendered')[0]?.startTime ?? NaN,
      cards: document.querySelectorAll('[data-column="todo"] [data-task-title]').length,
    }));
    if (cards !== TASKS) throw new Error(`${query}: the board shows ${cards} tasks in todo, expected ${TASKS}`);
    return rendered;
  } finally {
    await page.close();
  }
}

export default async function browserExampleBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const mini = await buildExample({ outdir: mkdtempSync(join(tmpdir(), 'esre-bench-board-')) });
  const classic = await buildExample({ outdir: mkdtempSync(join(tmpdir(), 'esre-bench-board-classic-')), zod: 'classic' });
  rmSync(classic.outdir, { recursive: true, force: true });
  rows.push(
    figureRow({
      benchmark: 'browser example bundle, schema module in zod/mini (gzip)',
      samples: [mini.gzipBytes / 1024],
      unit: 'KB',
      measured: sizes(mini),
      target: { atMost: 30 },
      details: { ...mini, outdir: undefined },
    }),
    figureRow({
      benchmark: 'browser example bundle, the same app on classic zod (gzip)',
      samples: [classic.gzipBytes / 1024],
      unit: 'KB',
      measured: sizes(classic),
      baseline: `zod/mini ${kb(mini.gzipBytes)} gzip`,
      details: { ...classic, outdir: undefined },
    }),
  );

  // Two servers, two origins: each board has its origin's storage to itself (localStorage is
  // one area per origin, loaded whole by the page that first touches it).
  const servers = { small: await startExampleServer(mini.outdir), large: await startExampleServer(mini.outdir) };
  const browser = await launchChromium();
  try {
    const seed = await bundleForBrowser('bench/lib/browser-example-seed.ts');
    for (const kind of ['indexeddb', 'local'] as const) {
      const context = await browser.newContext();
      try {
        for (const [board, perTask] of [['small', 1], ['large', 1000]] as const) {
          // A page of the board's origin (the server's 404 page) writes it.
          const seeder = await context.newPage();
          await seeder.goto(`${servers[board].url}seed`);
          await seeder.addScriptTag({ content: seed.code });
          const written = await seeder.evaluate(
            ([kind, tasks, perTask]) => (window as unknown as { seedBoard: (...args: unknown[]) => Promise<number> }).seedBoard(kind, 'task-board', tasks, perTask),
            [kind, TASKS, perTask] as const,
          );
          await seeder.close();
          progress(`browser-example ${kind}: the ${board} board has ${written} events`);
        }
        const open = (board: 'small' | 'large') => openTime(context, servers[board].url, `store=${kind}`);
        for (let warmup = 0; warmup < 2; warmup++) {
          await open('small');
          await open('large');
        }
        const measured: number[] = [];
        const baseline: number[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          if (round % 2 === 0) {
            measured.push(await open('large'));
            baseline.push(await open('small'));
          } else {
            baseline.push(await open('small'));
            measured.push(await open('large'));
          }
          progress(`browser-example ${kind} round ${round + 1}/${ROUNDS}: ${measured.at(-1)!.toFixed(1)} ms vs ${baseline.at(-1)!.toFixed(1)} ms`);
        }
        rows.push(
          pairedRow({
            benchmark: `open the browser example with 10,000 stored events vs 10, ${kind === 'local' ? 'localStorage' : 'IndexedDB'} (Chromium, until the board is rendered)`,
            measured,
            baseline,
            show: ms,
            // localStorage is reported only: Chromium loads an origin's whole Web Storage area
            // when a page first touches it, so its open time grows with the data whatever the
            // store reads (see docs/browser.md). The goal is on IndexedDB, the app's default.
            ...(kind === 'indexeddb' ? { target: { atMost: 1.2 } } : {}),
            details: { tasks: TASKS, rounds: ROUNDS },
          }),
        );
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await Promise.all(Object.values(servers).map((server) => server.close()));
    rmSync(mini.outdir, { recursive: true, force: true });
  }
  return rows;
}
