/** Every TypeScript block of docs/codec.md runs (each asserts what the text says). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';

const markdown = readFileSync('docs/codec.md', 'utf8');
const blocks = [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);

describe('docs/codec.md', () => {
  // Inside the package, so `event-sourced-rules-engine` resolves to this package's source.
  let folder: string;
  before(() => {
    folder = mkdtempSync(join('test', '.docs-codec-'));
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('has code blocks', () => {
    expect(blocks.length).to.be.at.least(3);
  });

  blocks.forEach((code, i) => {
    it(`block ${i + 1} runs`, async () => {
      const file = join(folder, `block-${i + 1}.ts`);
      writeFileSync(file, code);
      await import(pathToFileURL(file).href);
    });
  });
});
