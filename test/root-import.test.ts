import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const probe = fileURLToPath(new URL('./support/import-probe.mjs', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));
const FORBIDDEN = /node_modules\/(@aws-sdk\/|aws-cdk-lib\/|better-sqlite3\/|constructs\/|@smithy\/)/;

interface Resolution {
  specifier: string;
  url: string;
  parent: string | null;
}

/** Imports `specifier` in a fresh Node process and returns every module resolution it made. */
function resolutions(specifier: string): Resolution[] {
  const dir = mkdtempSync(join(tmpdir(), 'esre-probe-'));
  const log = join(dir, 'log.jsonl');
  try {
    execFileSync(process.execPath, ['--conditions=esre-source', '--import', 'tsx', probe, specifier], {
      cwd: root,
      env: { ...process.env, PROBE_LOG: log },
      stdio: 'pipe',
    });
    return readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Resolution);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the root export', () => {
  it('loads no AWS SDK, aws-cdk-lib, constructs or better-sqlite3 module, and no Node built-in', function () {
    this.timeout(30_000);
    const seen = resolutions('event-sourced-rules-engine');
    const ownModules = seen.filter((entry) => entry.url.includes('/runtime/'));
    expect(ownModules.map((entry) => entry.url)).to.include(`file://${root}runtime/aggregate.ts`);
    expect(seen.filter((entry) => FORBIDDEN.test(entry.url)).map((entry) => entry.url)).to.deep.equal([]);
    const builtins = seen.filter((entry) => entry.parent?.includes('/runtime/') && entry.url.startsWith('node:'));
    expect(builtins.map((entry) => `${entry.parent} -> ${entry.url}`)).to.deep.equal([]);
  });

  it('the probe does see those modules when something imports them', function () {
    this.timeout(30_000);
    const seen = resolutions('@aws-sdk/client-dynamodb');
    expect(seen.some((entry) => FORBIDDEN.test(entry.url))).to.equal(true);
  });
});

describe('the ./http export', () => {
  it('loads no AWS SDK, aws-cdk-lib, constructs or better-sqlite3 module (the generated module brings the store)', function () {
    this.timeout(30_000);
    const seen = resolutions('event-sourced-rules-engine/http');
    expect(seen.map((entry) => entry.url)).to.include(`file://${root}runtime/http/handler.ts`);
    expect(seen.filter((entry) => FORBIDDEN.test(entry.url)).map((entry) => entry.url)).to.deep.equal([]);
  });

  it('is not loaded by importing . or ./browser', function () {
    this.timeout(60_000);
    for (const specifier of ['event-sourced-rules-engine', 'event-sourced-rules-engine/browser']) {
      const http = resolutions(specifier).filter((entry) => entry.url.includes('/runtime/http/'));
      expect(http.map((entry) => entry.url), specifier).to.deep.equal([]);
    }
  });
});
