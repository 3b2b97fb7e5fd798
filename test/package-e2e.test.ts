/**
 * The package as a new user gets it: `npm pack` (which builds dist/), then two fresh projects
 * in the system's temporary folder, outside the repository, one ES module project and one
 * CommonJS project (`npm init -y`). Each installs the tarball with zod, tsx and typescript as
 * the README's "Install" section says, then follows the README.md quickstart literally, block
 * by block and command by command (test/support/quickstart.ts reads them from README.md):
 * generate, fill in the stubs, `npx esre check`, `npx tsc --strict`, run; the run prints what
 * the README shows. Installs use the local npm cache first (`--prefer-offline`). An npm-workspaces
 * monorepo then generates from a TypeScript workspace package, a paths alias and JSON, and its
 * mistakes are reported at their place in the sources, with no scratch folder left.
 *
 * It also requires and imports every subpath of the built package from CommonJS and from an
 * ES module, in the repository (where the optional peer dependencies are installed).
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

  it('generates in an npm-workspaces monorepo (a TypeScript workspace package, a paths alias, JSON, import.meta.url), locates errors in the sources and leaves no scratch folder', () => {
    const root = path.join(workspace, 'monorepo');
    const service = path.join(root, 'packages/service');
    const files: Record<string, string> = {
      'package.json': JSON.stringify({ name: 'monorepo', private: true, workspaces: ['packages/*'] }),
      // a workspace package published as TypeScript source, no build step
      'packages/shared/package.json': JSON.stringify({ name: '@acme/shared', version: '1.0.0', type: 'module', exports: './src/index.ts' }),
      'packages/shared/src/index.ts': "import * as z from 'zod';\n\nexport const amount = z.number().positive();\n",
      'packages/service/package.json': JSON.stringify({ name: 'service', version: '1.0.0', private: true, type: 'module', dependencies: { '@acme/shared': '1.0.0' } }),
      'packages/service/tsconfig.json': JSON.stringify({ compilerOptions: { module: 'nodenext', strict: true, noEmit: true, paths: { '@lib/*': ['./lib/*'] } } }),
      'packages/service/lib/currencies.json': '["EUR", "USD"]\n',
      'packages/service/lib/currency.ts': "import * as z from 'zod';\nimport currencies from './currencies.json' with { type: 'json' };\n\nexport const currency = z.enum(currencies as [string, ...string[]]);\n",
      'packages/service/esre.config.ts':
        "import { fileURLToPath } from 'node:url';\nimport { defineConfig } from 'event-sourced-rules-engine/schema';\n\n" +
        "export default defineConfig({ schemas: [fileURLToPath(new URL('schemas/*.schema.ts', import.meta.url))], output: 'src/generated', rules: 'src/rules', cdk: false });\n",
      'packages/service/schemas/wallet.schema.ts':
        "import * as z from 'zod';\nimport { defineAggregate } from 'event-sourced-rules-engine/schema';\nimport { amount } from '@acme/shared';\nimport { currency } from '@lib/currency';\n\n" +
        "export default defineAggregate({ name: 'wallet', state: z.object({ balance: z.number(), currency }), initial: { balance: 0, currency: 'EUR' }, inbound: { FUNDED: z.object({ amount, currency }) } });\n",
    };
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
      writeFileSync(path.join(root, name), text);
    }
    sh(`npm install ${JSON.stringify(tarball)} zod -w service --prefer-offline --no-audit --no-fund`, root);
    const temporary = mkdtempSync(path.join(tmpdir(), 'esre-e2e-tmp-'));
    const generate = () => spawnSync('npx esre generate', { cwd: service, shell: true, encoding: 'utf8', env: { ...cleanEnv, TMPDIR: temporary } });
    const generated = () => readFileSync(path.join(service, 'src/generated/wallet/events/inbound/FUNDED.schema.json'), 'utf8');
    try {
      const first = generate();
      expect(first.status, `${first.stdout}${first.stderr}`).to.equal(0);
      expect(generated()).to.include('"EUR"');
      const before = generated();
      // a mistake in the workspace package, then one that shows only after the module loaded (the process ends)
      const shared = path.join(root, 'packages/shared/src/index.ts');
      const text = readFileSync(shared, 'utf8');
      for (const [mistake, at, widened] of [
        ["throw new Error('broken shared package');", ':2:7', true],
        ["setTimeout(() => { throw new Error('broken later'); }, 0);", ':2:26', false],
      ] as const) {
        // widened, the schema would be written anew if the module loaded
        writeFileSync(shared, text.replace('\n', `\n${mistake}\n`).replace('.positive()', widened ? '' : '.positive()'));
        const failed = generate();
        expect(failed.status, mistake).to.not.equal(0);
        expect(failed.stderr, mistake).to.include(`${shared}${at}`);
        expect(failed.stderr, mistake).to.not.include('esre-load-');
        expect(generated(), 'nothing written').to.equal(before);
      }
      expect(readdirSync(temporary).filter((name) => name.startsWith('esre-load-')), 'scratch folders left').to.deep.equal([]);
    } finally {
      rmSync(temporary, { recursive: true, force: true });
    }
  });

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
