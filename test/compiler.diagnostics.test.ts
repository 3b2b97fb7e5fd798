import { expect } from 'chai';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { check, generate } from 'event-sourced-rules-engine/compiler';
import { EXAMPLE, removeProject, runCli, scratchProject, treeState } from './compiler.support.js';

/** Copies the account example's config and schema module into `dir`. */
function accountProject(dir: string): void {
  mkdirSync(path.join(dir, 'schemas'), { recursive: true });
  copyFileSync(path.join(EXAMPLE, 'esre.config.ts'), path.join(dir, 'esre.config.ts'));
  copyFileSync(path.join(EXAMPLE, 'schemas/account.schema.ts'), path.join(dir, 'schemas/account.schema.ts'));
}

describe('esre: generated files depend only on the config and the schema modules', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = scratchProject('diag-rules');
    accountProject(dir);
  });
  after(() => removeProject(dir));

  it('writing the rules (publishing outbound events) leaves every generated file up to date: esre check passes', async () => {
    await generate({ cwd: dir });
    const generated = treeState(path.join(dir, 'src/generated'));
    for (const rule of ['accountOpened', 'emailChanged', 'moneyDeposited', 'moneyWithdrawn']) {
      copyFileSync(path.join(EXAMPLE, `src/rules/account/${rule}.ts`), path.join(dir, `src/rules/account/${rule}.ts`));
    }
    expect(readFileSync(path.join(dir, 'src/rules/account/moneyWithdrawn.ts'), 'utf8')).to.include("publish('WITHDRAWAL_REJECTED'");
    const result = await check({ cwd: dir });
    expect(result.problems).to.deep.equal([]);
    const cli = runCli(['check'], dir);
    expect(cli.status, cli.stderr).to.equal(0);
    const again = await generate({ cwd: dir });
    expect(again.written).to.deep.equal([]);
    expect(treeState(path.join(dir, 'src/generated')), 'nothing rewritten').to.deep.equal(generated);
  });

  it('the diagram shows inbound events → rules → state and the outbound events the rules may publish', () => {
    const diagram = readFileSync(path.join(dir, 'src/generated/account/account.md'), 'utf8');
    expect(diagram).to.include('in_MONEY_WITHDRAWN --> rule_MONEY_WITHDRAWN');
    expect(diagram).to.include('rule_MONEY_WITHDRAWN --> state');
    expect(diagram).to.include('rules -. may publish .-> outbound');
    expect(diagram).to.include('out_WITHDRAWAL_REJECTED');
    expect(existsSync(path.join(dir, 'src/generated/account/account.md'))).to.equal(true);
  });
});
