import { expect } from 'chai';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { SchemaError, generate } from 'event-sourced-rules-engine/compiler';
import { EXAMPLE, FIXTURES, removeProject, runCli, scratchProject, treeState } from './compiler.support.js';

const BAD = path.join(FIXTURES, 'bad');
const cases = readdirSync(BAD)
  .filter((file) => file.endsWith('.schema.ts'))
  .sort()
  .map((file) => {
    const source = readFileSync(path.join(BAD, file), 'utf8');
    const lines = (marker: string) => [...source.matchAll(new RegExp(`^// ${marker}: ?(.*)$`, 'gm'))].map((match) => match[1]!.trim());
    // `// expect: <field>` names a field the error must name; `// message: <field>: <text>` is a golden problem line
    return { file, fields: lines('expect'), messages: lines('message') };
  });

describe('esre generate: invalid schema modules', function () {
  this.timeout(60_000);
  let dir: string;
  let untouched: Record<string, string>;

  before(async () => {
    dir = scratchProject('bad');
    copyFileSync(path.join(EXAMPLE, 'esre.config.ts'), path.join(dir, 'esre.config.ts'));
    mkdirSync(path.join(dir, 'schemas'));
    copyFileSync(path.join(EXAMPLE, 'schemas/account.schema.ts'), path.join(dir, 'schemas/account.schema.ts'));
    const first = await generate({ cwd: dir });
    expect(first.written.length).to.be.greaterThan(0);
    untouched = treeState(path.join(dir, 'src'));
  });
  after(() => removeProject(dir));

  it('has a corpus to check', () => {
    expect(cases.length).to.be.greaterThan(15);
  });

  for (const { file, fields, messages } of cases) {
    const named = fields.map((field) => (field ? `the field ${field}` : 'the module')).join(', ');
    it(`${file}: names the file and ${named}, writes nothing`, async () => {
      const target = path.join(dir, 'schemas', file);
      copyFileSync(path.join(BAD, file), target);
      try {
        const error = await generate({ cwd: dir }).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error).to.be.instanceOf(SchemaError);
        const problems = (error as SchemaError).problems;
        const mine = problems.filter((problem) => problem.file === `schemas/${file}`);
        for (const field of fields) {
          expect(mine.map((problem) => problem.field), (error as Error).message).to.include(field);
          const located = (error as SchemaError).problems.find((problem) => problem.file === `schemas/${file}` && problem.line !== undefined);
        const where = located ? `schemas/${file}:${located.line}:${located.column}` : `schemas/${file}`;
        expect((error as Error).message).to.include(`${where}: ${field ? `${field}: ` : ''}`);
        }
        for (const message of messages) expect((error as Error).message.split('\n')).to.include(`  schemas/${file}: ${message}`);
        if (messages.length > 0) expect(mine, 'one problem per golden message').to.have.length(messages.length);
        expect(treeState(path.join(dir, 'src')), 'nothing written').to.deep.equal(untouched);
      } finally {
        rmSync(target, { force: true });
      }
    });
  }

  it('the CLI exits non-zero with the file and field, and writes nothing', () => {
    const target = path.join(dir, 'schemas', 'index-missing-field.schema.ts');
    copyFileSync(path.join(BAD, 'index-missing-field.schema.ts'), target);
    try {
      const result = runCli(['generate'], dir);
      expect(result.status).to.equal(1);
      expect(result.stderr).to.include('schemas/index-missing-field.schema.ts: indexes.byPhone: state has no field phone');
      expect(treeState(path.join(dir, 'src'))).to.deep.equal(untouched);
    } finally {
      rmSync(target, { force: true });
    }
  });
});
