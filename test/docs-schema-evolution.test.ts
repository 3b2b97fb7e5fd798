/**
 * The code blocks of the runtime section of docs/schema-evolution.md run as written: each is
 * written to a module inside the package (so `event-sourced-rules-engine` resolves to this
 * source) and imported; their own assertions check what the text claims.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'chai';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const markdown = readFileSync(join(ROOT, 'docs', 'schema-evolution.md'), 'utf8');
const start = markdown.indexOf('\n## Runtime\n');
const end = markdown.indexOf('\n## ', start + 1);
const section = markdown.slice(start, end === -1 ? undefined : end);
const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);

describe('docs/schema-evolution.md, runtime section', () => {
  let folder: string;
  before(() => {
    folder = mkdtempSync(join(ROOT, 'test', '.docs-schema-evolution-'));
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('has code blocks to run', () => {
    expect(start, 'the section exists').to.be.greaterThan(-1);
    expect(blocks.length).to.be.at.least(2);
  });

  blocks.forEach((code, index) => {
    it(`code block ${index + 1} runs`, async () => {
      const file = join(folder, `block-${index + 1}.ts`);
      writeFileSync(file, code);
      await import(pathToFileURL(file).href);
    });
  });
});
