/**
 * The README's compiler guide ("From an empty folder to a running aggregate"), followed
 * literally: its code blocks are read from README.md and written to a fresh project folder,
 * then the guide's steps run (generate, fill in the stubs, check, type-check, run).
 */
import { expect } from 'chai';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { check, generate } from 'event-sourced-rules-engine/compiler';
import { EXAMPLE, REPO, removeProject, runTsc, scratchProject } from './compiler.support.js';

/** The `ts` code blocks of the guide, dedented, in order. */
function guideBlocks(): string[] {
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const start = readme.indexOf('### From an empty folder to a running aggregate');
  const end = readme.indexOf('\n### ', start + 1);
  expect(start, 'the guide is in the README').to.be.greaterThan(0);
  const guide = readme.slice(start, end);
  return [...guide.matchAll(/^( *)```ts\n([\s\S]*?)^\1```$/gm)].map(([, indent, body]) =>
    body!
      .split('\n')
      .map((line) => line.slice(indent!.length))
      .join('\n'),
  );
}

/** The one block containing `marker`. */
function block(blocks: string[], marker: string): string {
  const found = blocks.filter((text) => text.includes(marker));
  expect(found, `one guide block with ${marker}`).to.have.length(1);
  return found[0]!;
}

describe('the README compiler guide, followed literally', function () {
  this.timeout(90_000);
  let dir: string;
  const file = (relative: string) => path.join(dir, relative);
  const write = (relative: string, text: string) => {
    mkdirSync(path.dirname(file(relative)), { recursive: true });
    writeFileSync(file(relative), text);
  };

  before(() => {
    dir = scratchProject('readme-guide');
  });
  after(() => removeProject(dir));

  it('goes from an empty folder to a running aggregate: schema, generate, rules, check, run', async () => {
    const blocks = guideBlocks();
    write('esre.config.ts', block(blocks, 'defineConfig({'));
    write('schemas/account.schema.ts', block(blocks, 'defineAggregate({'));

    const generated = await generate({ cwd: dir });
    expect(generated.stubsCreated.filter((created) => created.startsWith('src/rules/'))).to.deep.equal([
      'src/rules/account/accountOpened.ts',
      'src/rules/account/moneyDeposited.ts',
    ]);
    expect((await check({ cwd: dir })).ok, 'check fails while stubs are left').to.equal(false);

    write('src/rules/account/accountOpened.ts', block(blocks, "AccountRule<'ACCOUNT_OPENED'>"));
    write('src/rules/account/moneyDeposited.ts', block(blocks, "AccountRule<'MONEY_DEPOSITED'>"));
    await generate({ cwd: dir });
    const checked = await check({ cwd: dir });
    expect(checked.problems).to.deep.equal([]);

    const main = block(blocks, 'new AccountAggregate(');
    write('main.ts', main);
    const tsconfig = JSON.parse(readFileSync(path.join(EXAMPLE, 'tsconfig.json'), 'utf8'));
    tsconfig.include = ['esre.config.ts', 'schemas', 'src', 'main.ts'];
    write('tsconfig.json', JSON.stringify(tsconfig));
    const tsc = runTsc(dir);
    expect(tsc.output).to.equal('');
    expect(tsc.status).to.equal(0);

    // The guide shows what main.ts prints in a comment below the console.log line.
    const expected = /console\.log\(.*\);\n\/\/ (.*)$/m.exec(main)?.[1];
    expect(expected, 'the guide shows the output').to.be.a('string');
    const printed: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void printed.push(format(...args));
    try {
      await import(pathToFileURL(file('main.ts')).href);
    } finally {
      console.log = log;
    }
    expect(printed).to.deep.equal([expected]);
  });
});
