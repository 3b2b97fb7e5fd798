/**
 * bench/results/latest.json keeps every case's rows as last measured, each case with when, on
 * what machine and under what load it ran; `npm run bench -- <case> --write` replaces only the
 * named cases; bench/README.md's "Latest run" section is generated from the file and never
 * drifts from it.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parseBenchArguments } from '../bench/lib/arguments.js';
import { CASE_NAMES } from '../bench/lib/case-list.js';
import { BENCH_README_FILE, LATEST_RESULTS_FILE } from '../bench/lib/latest-files.js';
import { LATEST_RUN_BEGIN, LATEST_RUN_END, currentLatestRun, latestRunMarkdown, latestRunSection, withLatestRun } from '../bench/lib/latest-run.js';
import { type BenchResults, type CaseResult, mergeResults, readResults } from '../bench/lib/results.js';
import type { BenchRow } from '../bench/lib/row.js';

const machine = { node: 'v20.20.2', platform: 'linux', arch: 'x64', cpus: 2, cpuModel: 'AMD EPYC', memoryBytes: 25_276_502_016 };

function row(benchmark: string, ratio: number): BenchRow {
  return { benchmark, measured: `${ratio} units`, baseline: '1 unit', ratio, unit: '×', spread: { min: ratio, max: ratio }, target: 'report', pass: null, samples: [ratio] };
}

function caseResult(name: string, measuredAt: string, load: number, ...rows: BenchRow[]): CaseResult {
  return { case: name, measuredAt, machine, loadAverage: { start: [load, 1, 1], end: [load + 1, 1, 1] }, durationSeconds: 12, rows };
}

const ORDER = ['processor', 'get', 'validation', 'compiler'];
const OLD = '2026-11-27T03:21:15.929Z';
const NEW = '2026-11-30T09:10:00.000Z';
const previous: BenchResults = {
  format: 2,
  cases: [
    caseResult('processor', OLD, 2.38, row('Processor', 0.8)),
    caseResult('get', OLD, 2.38, row('get() memory', 1), row('get() SQLite', 1.01)),
    caseResult('compiler', OLD, 2.38, row('compiler cold', 4.5)),
  ],
};

describe('bench results (bench/results/latest.json)', () => {
  describe('refreshing some cases (mergeResults)', () => {
    it('replaces the refreshed cases\' rows, time, machine and load, and keeps every other case as it was', () => {
      const merged = mergeResults(previous, [caseResult('get', NEW, 0.5, row('get() memory', 0.97), row('get() SQLite', 0.99))], ORDER);
      expect(merged.cases.map((result) => [result.case, result.measuredAt])).to.deep.equal([
        ['processor', OLD],
        ['get', NEW],
        ['compiler', OLD],
      ]);
      expect(merged.cases[1]!.rows.map((line) => line.ratio)).to.deep.equal([0.97, 0.99]);
      expect(merged.cases[1]!.loadAverage.start[0]).to.equal(0.5);
      expect(merged.cases[0]).to.deep.equal(previous.cases[0]);
      expect(merged.cases[2]).to.deep.equal(previous.cases[2]);
    });

    it('puts a case measured for the first time, and cases given out of order, in table order', () => {
      const merged = mergeResults(previous, [caseResult('validation', NEW, 0.5, row('validation', 1.04)), caseResult('processor', NEW, 0.5, row('Processor', 0.75))], ORDER);
      expect(merged.cases.map((result) => result.case)).to.deep.equal(['processor', 'get', 'validation', 'compiler']);
      expect(merged.cases.map((result) => result.measuredAt)).to.deep.equal([NEW, OLD, NEW, OLD]);
    });

    it('drops a case that is no longer in the suite and refuses fresh rows of an unknown case', () => {
      expect(mergeResults(previous, [], ['processor', 'compiler']).cases.map((result) => result.case)).to.deep.equal(['processor', 'compiler']);
      expect(() => mergeResults(previous, [caseResult('nope', NEW, 0.5)], ORDER)).to.throw(/unknown case\(s\) in fresh results: nope/);
    });
  });

  describe('the command line (npm run bench -- [case ...] [--write])', () => {
    it('records a full run, and named cases only with --write, running them in table order', () => {
      expect(parseBenchArguments([], ORDER)).to.deep.equal({ cases: ORDER, write: true });
      expect(parseBenchArguments(['compiler', 'processor'], ORDER)).to.deep.equal({ cases: ['processor', 'compiler'], write: false });
      expect(parseBenchArguments(['compiler', '--write', 'processor'], ORDER)).to.deep.equal({ cases: ['processor', 'compiler'], write: true });
    });

    it('refuses an unknown case or option, naming it', () => {
      expect(() => parseBenchArguments(['procesor'], ORDER)).to.throw(/unknown case\(s\): procesor; known: processor, get/);
      expect(() => parseBenchArguments(['processor', '--wirte'], ORDER)).to.throw(/unknown option\(s\): --wirte/);
    });
  });

  describe('the "Latest run" section of bench/README.md', () => {
    const markdown = latestRunMarkdown(mergeResults(previous, [caseResult('get', NEW, 0.5, row('get() memory', 0.97), row('get() SQLite', 0.99))], ORDER), ORDER);

    it('gives every row the time its own case ran', () => {
      const lines = markdown.split('\n');
      expect(lines.find((line) => line.startsWith('| Processor |'))).to.match(/\| 2026-11-27 03:21 \|$/);
      expect(lines.find((line) => line.startsWith('| get() SQLite |'))).to.match(/\| 0\.99× \|.*\| 2026-11-30 09:10 \|$/);
      expect(lines.find((line) => line.startsWith('| compiler cold |'))).to.match(/\| 2026-11-27 03:21 \|$/);
    });

    it('says for each case when, on what machine and under what load it ran, and which cases the file lacks', () => {
      expect(markdown).to.contain('| `get` | 2026-11-30 09:10 | 12 s | v20.20.2 | 2 × AMD EPYC, 25.3 GB | 0.50 → 1.50 |');
      expect(markdown).to.contain('| `processor` | 2026-11-27 03:21 | 12 s | v20.20.2 | 2 × AMD EPYC, 25.3 GB | 2.38 → 3.38 |');
      expect(markdown).to.contain('Not in the file yet: `validation`.');
    });

    it('replaces only what stands between its markers', () => {
      const readme = `# Benchmarks\n\nbefore\n\n${LATEST_RUN_BEGIN}\nold table\n${LATEST_RUN_END}\n\nafter\n`;
      const updated = withLatestRun(readme, previous, ORDER);
      expect(updated).to.equal(`# Benchmarks\n\nbefore\n\n${latestRunSection(previous, ORDER)}\n\nafter\n`);
      expect(() => withLatestRun('# no section\n', previous, ORDER)).to.throw(/has no .* section/);
    });

    it('is, in bench/README.md, exactly what bench/results/latest.json gives (npm run bench:readme rewrites it)', () => {
      const results = readResults(LATEST_RESULTS_FILE);
      const readme = readFileSync(BENCH_README_FILE, 'utf8');
      expect(currentLatestRun(readme), 'bench/README.md is stale: run `npm run bench:readme`').to.equal(latestRunSection(results, CASE_NAMES));
    });

    it('comes from a file holding known cases, in table order, each with its time, machine and load', () => {
      const results = readResults(LATEST_RESULTS_FILE);
      const names = results.cases.map((result) => result.case);
      expect(names, 'cases in table order').to.deep.equal(CASE_NAMES.filter((name) => names.includes(name)));
      for (const result of results.cases) {
        expect(Date.parse(result.measuredAt), `${result.case}: measuredAt`).to.be.a('number').and.not.NaN;
        expect(result.machine.cpus, `${result.case}: machine`).to.be.greaterThan(0);
        expect(result.loadAverage.start, `${result.case}: load at start`).to.have.length(3);
        expect(result.rows.length, `${result.case}: rows`).to.be.greaterThan(0);
      }
    });
  });
});
