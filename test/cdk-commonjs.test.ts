/**
 * A CommonJS project (no `"type"`, as `npm init -y` makes) deploys the same as an ES module
 * project: esre loads its config and schema modules, and the generated CDK app runs and
 * synthesizes, and its TypeScript compiles as CommonJS (the generated stack uses no
 * `import.meta`, which TypeScript refuses in a file that builds to CommonJS).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { generate } from 'event-sourced-rules-engine/compiler';
import { REPO, copyExampleInputs, removeProject, runTsc, scratchProject } from './compiler.support.js';

describe('esre and the generated CDK app in a CommonJS project', function () {
  this.timeout(180_000);
  let dir: string | undefined;
  after(() => removeProject(dir));

  it('generates, and the CDK app synthesizes the stack with every outbound event schema', async () => {
    const project = scratchProject('cdk-commonjs');
    dir = project;
    copyExampleInputs(project);
    // The project's own manifest (no "type": CommonJS), and the package installed by a link.
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'commonjs-service', version: '1.0.0' }));
    mkdirSync(path.join(project, 'node_modules'));
    symlinkSync(REPO, path.join(project, 'node_modules/event-sourced-rules-engine'), 'dir');

    await generate({ cwd: project });
    const outdir = path.join(project, 'cdk.out');
    const app = JSON.parse(readFileSync(path.join(project, 'cdk.json'), 'utf8')).app as string;
    const run = spawnSync(app, { cwd: project, shell: true, encoding: 'utf8', env: { ...process.env, CDK_OUTDIR: outdir } });
    expect(run.status, `${app}:\n${run.stdout}${run.stderr}`).to.equal(0);

    const template = path.join(outdir, 'account-service.template.json');
    expect(existsSync(template), template).to.equal(true);
    const schemas = Object.values(JSON.parse(readFileSync(template, 'utf8')).Resources as Record<string, { Type: string; Properties: { SchemaName?: string } }>)
      .filter((resource) => resource.Type === 'AWS::EventSchemas::Schema')
      .map((resource) => resource.Properties.SchemaName)
      .sort();
    expect(schemas).to.deep.equal(['com.example.account@BALANCE_CHANGED', 'com.example.account@WITHDRAWAL_REJECTED']);

    const compilerOptions = { module: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], customConditions: ['esre-source'] };
    writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['infra'] }));
    const tsc = runTsc(project);
    expect(tsc.output).to.equal('');
    expect(tsc.status).to.equal(0);
  });
});
