import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from 'event-sourced-rules-engine/compiler';
import { findConfigFile, loadConfigWith } from '../compiler/config.js';
import { EmitContext } from '../compiler/emitter.js';
import { emitters } from '../compiler/emitters/index.js';
import { TypeScriptFormatter } from '../compiler/format.js';
import { BundleLoader } from '../compiler/bundle-loader.js';
import { tidyBlankLines } from '../compiler/writer.js';
import { buildModel, findSchemaFiles } from '../compiler/model.js';
import { EXAMPLE, copyExampleInputs, isGenerated, listFiles, removeProject, runTsc, scratchProject } from './compiler.support.js';

describe('esre generate: the account example (golden files)', function () {
  this.timeout(120_000);
  let dir: string;

  before(() => {
    dir = scratchProject('golden');
    copyExampleInputs(dir);
  });
  after(() => removeProject(dir));

  it('reproduces the committed generated files byte for byte', async () => {
    const result = await generate({ cwd: dir });
    expect(result.stubsCreated, 'the example rules are committed, so no stub is created').to.deep.equal([]);
    expect(result.written.length).to.be.greaterThan(10);
    const committedGenerated = listFiles(EXAMPLE).filter((file) => isGenerated(path.join(EXAMPLE, file)));
    expect([...result.written].sort()).to.deep.equal(committedGenerated);
    for (const file of result.written) {
      expect(readFileSync(path.join(dir, file), 'utf8'), file).to.equal(readFileSync(path.join(EXAMPLE, file), 'utf8'));
    }
  });

  it('writes nothing on a second run', async () => {
    const result = await generate({ cwd: dir });
    expect(result.written).to.deep.equal([]);
    expect(result.stubsCreated).to.deep.equal([]);
    expect(result.removed).to.deep.equal([]);
    expect(result.unchanged.length).to.be.greaterThan(10);
  });

  it('is formatted: formatting the generated TypeScript changes nothing', () => {
    const formatter = new TypeScriptFormatter();
    const files = listFiles(path.join(EXAMPLE, 'src/generated')).filter((file) => file.endsWith('.ts'));
    expect(files.length).to.equal(6); // with api.ts (service.api is on)
    for (const file of files) {
      const text = readFileSync(path.join(EXAMPLE, 'src/generated', file), 'utf8');
      expect(formatter.format(file, text), file).to.equal(text);
    }
  });

  it('emits TypeScript formatted by construction (the writer never runs the formatter)', async () => {
    const loader = await BundleLoader.create();
    try {
      const config = await loadConfigWith(loader, findConfigFile(dir));
      const { model, problems } = await buildModel(config, loader, await findSchemaFiles(config));
      expect(problems).to.deep.equal([]);
      const context = new EmitContext(model);
      const formatter = new TypeScriptFormatter();
      const files = emitters.flatMap((emitter) => emitter.emit(context)).filter((file) => file.language === 'typescript');
      expect(files.map((file) => context.projectPath(file.path))).to.include.members(['src/generated/account/aggregate.ts', 'infra/account-service-stack.ts']);
      for (const file of files) expect(tidyBlankLines(file.content), context.projectPath(file.path)).to.equal(formatter.format(file.path, file.content));
    } finally {
      await loader.dispose();
    }
  });

  it('type-checks the committed example with tsc --strict', () => {
    const { status, output } = runTsc(EXAMPLE);
    expect(output).to.equal('');
    expect(status).to.equal(0);
  });

  it('rejects, at compile time, a rule assigning a wrong type and a rule publishing an undeclared event', () => {
    const rules = path.join(dir, 'src/rules/account');
    const deposited = path.join(rules, 'moneyDeposited.ts');
    writeFileSync(deposited, readFileSync(deposited, 'utf8').replace('state.balance += current.amount;', "state.balance = 'a lot';"));
    const withdrawn = path.join(rules, 'moneyWithdrawn.ts');
    writeFileSync(
      withdrawn,
      readFileSync(withdrawn, 'utf8').replace("publish('WITHDRAWAL_REJECTED', { amount: current.amount, balance: state.balance, reason: 'overdraft-limit' });", "publish('ACCOUNT_FROZEN', { amount: current.amount });"),
    );
    const opened = path.join(rules, 'accountOpened.ts');
    writeFileSync(opened, readFileSync(opened, 'utf8').replace('state.owner = current.owner;', 'state.owner = current.name;'));
    const { status, output } = runTsc(dir);
    expect(status).to.not.equal(0);
    const errors = output.split('\n').filter((line) => line.includes('error TS'));
    expect(errors.some((line) => line.startsWith('src/rules/account/moneyDeposited.ts') && line.includes("'string' is not assignable to type 'number'"))).to.equal(true, output);
    expect(errors.some((line) => line.startsWith('src/rules/account/moneyWithdrawn.ts') && line.includes('"ACCOUNT_FROZEN"'))).to.equal(true, output);
    expect(errors.some((line) => line.startsWith('src/rules/account/accountOpened.ts') && line.includes("'name'"))).to.equal(true, output);
    expect(errors, 'no error outside the three edited rules').to.have.length(3);
  });
});
