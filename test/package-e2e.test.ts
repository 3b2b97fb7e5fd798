/**
 * The package as a new user gets it: `npm pack` (which builds dist/), then two fresh projects
 * in the system's temporary folder, outside the repository, one ES module project and one
 * CommonJS project (`npm init -y`). Each installs the tarball with zod, tsx and typescript as
 * the README's "Install" section says, then follows the README.md quickstart literally, block
 * by block and command by command (test/support/quickstart.ts reads them from README.md):
 * generate, fill in the stubs, `npx esre check`, `npx tsc --strict`, run; the run prints what
 * the README shows. Installs use the local npm cache first (`--prefer-offline`).
 *
 * It also requires and imports every subpath of the built package from CommonJS and from an
 * ES module, in the repository (where the optional peer dependencies are installed).
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { REPO } from './compiler.support.js';
import { readQuickstart } from './support/quickstart.js';

const PACKAGE = 'event-sourced-rules-engine';

/** The environment without the `npm_*` variables of an enclosing `npm test`, which would reconfigure nested npm runs. */
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));

/** Runs a shell command as a user types it; fails the test with its output when it exits non-zero. */
function sh(command: string, cwd: string, timeout = 300_000): string {
  const result: SpawnSyncReturns<string> = spawnSync(command, { cwd, shell: true, encoding: 'utf8', env: cleanEnv, timeout });
  const output = `${result.stdout}${result.stderr}`;
  expect(result.status, `${command} (in ${cwd}) failed:\n${output}${result.error ? String(result.error) : ''}`).to.equal(0);
  return result.stdout;
}

describe('the packed package in fresh ES module and CommonJS projects', function () {
  // npm pack builds the package (about a minute on a busy machine), and each project installs
  // from the npm cache; measured here: about 3 to 5 minutes in all.
  this.timeout(900_000);
  let workspace: string;
  let tarball: string;

  before(() => {
    workspace = mkdtempSync(path.join(tmpdir(), 'esre-e2e-'));
    sh(`npm pack --silent --pack-destination ${JSON.stringify(workspace)}`, REPO, 600_000);
    const packed = readdirSync(workspace).filter((name) => name.endsWith('.tgz'));
    expect(packed).to.have.length(1);
    tarball = path.join(workspace, packed[0]!);
  });

  after(() => {
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  for (const kind of ['ES module', 'CommonJS'] as const) {
    it(`follows the README quickstart in a fresh ${kind} project and prints what the README shows`, () => {
      const quickstart = readQuickstart(REPO);
      const project = path.join(workspace, kind === 'ES module' ? 'esm-project' : 'cjs-project');
      mkdirSync(project);
      sh('npm init -y', project);
      if (kind === 'ES module') sh('npm pkg set type=module', project);

      expect(quickstart.install.length, 'the README says how to install').to.be.greaterThan(0);
      for (const command of quickstart.install) {
        expect(command, 'an install command names the package').to.match(/^npm install /);
        const fromTarball = command.replace(new RegExp(`(?<=\\s)${PACKAGE}(?=\\s|$)`), JSON.stringify(tarball));
        sh(`${fromTarball} --prefer-offline --no-audit --no-fund`, project);
      }

      let last = '';
      for (const step of quickstart.steps) {
        if (step.kind === 'file') {
          mkdirSync(path.dirname(path.join(project, step.path)), { recursive: true });
          writeFileSync(path.join(project, step.path), step.text);
        } else {
          for (const command of step.commands) last = sh(command, project);
        }
      }
      expect(last).to.equal(quickstart.output);
    });
  }

  it('lets CommonJS require, and ES modules import, every subpath of the built package', () => {
    const manifest = JSON.parse(sh('npm pkg get exports', REPO)) as Record<string, unknown>;
    const subpaths = Object.keys(manifest)
      .filter((subpath) => subpath !== './package.json')
      .map((subpath) => (subpath === '.' ? PACKAGE : `${PACKAGE}/${subpath.slice(2)}`));
    const probe = (code: string, extension: '.cjs' | '.mjs') => {
      const file = path.join(REPO, `test/fixtures/.tmp-e2e-probe-${process.pid}${extension}`);
      writeFileSync(file, code);
      try {
        // No esre-source condition: the package resolves its own name to dist/, as installed.
        return sh(`node ${JSON.stringify(file)}`, REPO);
      } finally {
        rmSync(file, { force: true });
      }
    };
    const list = JSON.stringify(subpaths);
    const required = probe(`for (const name of ${list}) console.log(name, Object.keys(require(name)).length);\n`, '.cjs');
    const imported = probe(`for (const name of ${list}) console.log(name, Object.keys(await import(name)).length);\n`, '.mjs');
    for (const output of [required, imported]) {
      const counts = output.trim().split('\n').map((line) => line.split(' '));
      expect(counts.map(([name]) => name)).to.deep.equal(subpaths);
      for (const [name, count] of counts) expect(Number(count), `${name} exports something`).to.be.greaterThan(0);
    }
    expect(required, 'require() gives the same exports as import').to.equal(imported);
  });
});
