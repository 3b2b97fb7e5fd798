/**
 * The README.md quickstart, followed literally inside the repository (the package resolving to
 * its TypeScript sources): its blocks are read from README.md (test/support/quickstart.ts) and
 * written to a fresh project folder, and its commands run in order: generate, fill in the stubs,
 * check, type-check, run; the run prints what the README shows. test/package-e2e.test.ts follows
 * the same steps from the packed tarball in ES module and CommonJS projects.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { REPO, removeProject, runCli, runTsc, scratchProject } from './compiler.support.js';
import { readQuickstart } from './support/quickstart.js';

describe('the README quickstart, followed literally in the repository', function () {
  this.timeout(120_000);
  let dir: string | undefined;
  after(() => removeProject(dir));

  /** Runs one README command the way it runs in the repository (no install, sources not built). */
  function run(command: string, cwd: string): { status: number | null; output: string } {
    const esre = /^npx esre (\w+)$/.exec(command);
    if (esre) {
      const result = runCli([esre[1]!], cwd);
      return { status: result.status, output: result.stdout + result.stderr };
    }
    if (/^npx tsc\b/.test(command)) {
      // The README's tsconfig.json, plus the condition that resolves the package to its sources here.
      const tsconfig = JSON.parse(readFileSync(path.join(cwd, 'tsconfig.json'), 'utf8'));
      tsconfig.compilerOptions.customConditions = ['esre-source'];
      writeFileSync(path.join(cwd, 'tsconfig.json'), JSON.stringify(tsconfig));
      return runTsc(cwd);
    }
    const tsx = /^npx tsx (\S+)$/.exec(command);
    if (tsx) {
      const result = spawnSync(process.execPath, ['--conditions=esre-source', '--import', 'tsx', tsx[1]!], { cwd, encoding: 'utf8' });
      return { status: result.status, output: result.stdout + result.stderr };
    }
    throw new Error(`the README quickstart has a command this test does not know: ${command}`);
  }

  it('goes from an empty folder to a running aggregate and prints what the README shows', () => {
    const quickstart = readQuickstart(REPO);
    const project = scratchProject('readme-quickstart');
    dir = project;
    let last = '';
    for (const step of quickstart.steps) {
      if (step.kind === 'file') {
        mkdirSync(path.dirname(path.join(project, step.path)), { recursive: true });
        writeFileSync(path.join(project, step.path), step.text);
        continue;
      }
      for (const command of step.commands) {
        const result = run(command, project);
        expect(result.status, `${command}:\n${result.output}`).to.equal(0);
        last = result.output;
      }
    }
    expect(last).to.equal(quickstart.output);
  });
});
