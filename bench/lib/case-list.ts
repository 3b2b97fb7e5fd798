/** The benchmark cases, in table order (the order of `latest.json` and of bench/README.md's table). */

/** One case: the file name under `bench/cases/`, a title for errors, and what it needs. */
export interface CaseEntry {
  readonly name: string;
  readonly title: string;
  /** Runs on the DynamoDB Local server `bench/run.ts` starts for all such cases. */
  readonly dynamodb?: boolean;
}

/** Every case, in table order. */
export const CASES: readonly CaseEntry[] = [
  { name: 'processor', title: 'Processor: 1,000,000 events' },
  { name: 'dynamodb-append', title: 'append on DynamoDB Local', dynamodb: true },
  { name: 'get', title: 'get() of an aggregate with 10,000 events', dynamodb: true },
  { name: 'recalculate-memory', title: 'recalculate of 100,000 events, memory store' },
  { name: 'recalculate-upcast-memory', title: 'recalculate of 100,000 version-1 events under version 2, memory store' },
  // Its own server (started by the case): a fresh JVM writes the 100,000 events several times faster.
  { name: 'recalculate-dynamodb', title: 'recalculate of 100,000 events, DynamoDB Local' },
  { name: 'validation', title: 'append with zod validation' },
  { name: 'compiler', title: 'compiler: 50 aggregates × 20 events' },
  { name: 'stores', title: 'SQLite and IndexedDB append' },
  { name: 'aggregate-bundle', title: 'browser bundle of one aggregate: zod/mini vs zod' },
  { name: 'browser-example', title: 'browser example: bundle size and time to open in Chromium' },
  { name: 'http-bundle', title: 'HTTP handler Lambda bundle size' },
  { name: 'hot-aggregate', title: 'hot aggregate: 8 writers with group commit vs 1 writer', dynamodb: true },
  // Its own server too: seeding 100,000 events on the shared one, after the cases above, took over 20 minutes.
  { name: 'recalculate-all', title: 'recalculateAll of 1,000 aggregates × 100 events, DynamoDB Local' },
];

/** The case names, in table order. */
export const CASE_NAMES: readonly string[] = CASES.map((entry) => entry.name);
