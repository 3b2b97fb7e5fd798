/**
 * The documentation's code blocks run: every TypeScript block of README.md, CONTRIBUTING.md,
 * docs/*.md and bench/README.md type-checks (and runs, when marked), every block marked as
 * tested elsewhere names a specification that reads it, and the README stays a short front
 * page linking every page of docs/. The marker convention is in CONTRIBUTING.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import ts from 'typescript';
import { REPO } from './compiler.support.js';
import { type CodeBlock, codeBlocks, documentationFiles, isTypeScript } from './support/markdown.js';

const blocks = documentationFiles(REPO).flatMap((file) => codeBlocks(REPO, file));
const checked = blocks.filter((block) => isTypeScript(block) && (block.test.kind === 'check' || block.test.kind === 'run'));
const where = (block: CodeBlock) => `${block.file}:${block.line}`;

describe('the documentation', function () {
  this.timeout(180_000);
  const scratch = path.join(REPO, 'test/fixtures/docs', `.tmp-${process.pid}`);
  const files = new Map<string, CodeBlock>();

  before(() => {
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(scratch, { recursive: true });
    for (const block of checked) {
      const name = path.join(scratch, `${block.file.replace(/[^\w]+/g, '_')}_L${block.line}.ts`);
      // A block without import or export is a script; make it a module so blocks never share names.
      const isModule = /^\s*(import|export)\b/m.test(block.code);
      writeFileSync(name, isModule ? block.code : `${block.code}export {};\n`);
      files.set(name, block);
    }
  });

  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('has a README of at most 250 lines that links every page in docs/', () => {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    expect(readme.split('\n').length).to.be.at.most(250);
    const pages = readdirSync(path.join(REPO, 'docs')).filter((name) => name.endsWith('.md'));
    expect(pages.length).to.be.greaterThan(0);
    const unlinked = pages.filter((page) => !readme.includes(`](docs/${page})`));
    expect(unlinked, 'docs pages the README does not link').to.deep.equal([]);
    expect(readme).to.contain('](CONTRIBUTING.md)');
    expect(readme).to.contain('](bench/README.md)');
  });

  it('links only files that exist, from the README, CONTRIBUTING.md and every page in docs/', () => {
    const sources = ['README.md', 'CONTRIBUTING.md', ...readdirSync(path.join(REPO, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
    const broken: string[] = [];
    for (const source of sources) {
      const text = readFileSync(path.join(REPO, source), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/i.test(target!)) continue;
        if (!existsSync(path.resolve(REPO, path.dirname(source), target!))) broken.push(`${source} -> ${target}`);
      }
    }
    expect(broken, 'relative links to missing files').to.deep.equal([]);
  });

  it('names, for every block tested elsewhere, a specification that exists and reads that file', () => {
    const wrong = blocks
      .filter((block) => block.test.kind === 'tested-in')
      .filter((block) => {
        const spec = path.join(REPO, (block.test as { spec: string }).spec);
        return !existsSync(spec) || !readFileSync(spec, 'utf8').includes(path.basename(block.file));
      })
      .map(where);
    expect(wrong).to.deep.equal([]);
  });

  it('has TypeScript blocks that type-check with the repository settings (strict)', () => {
    expect(checked.length, 'some blocks are checked').to.be.greaterThan(5);
    const config = ts.readConfigFile(path.join(REPO, 'tsconfig.json'), ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, REPO);
    const program = ts.createProgram([...files.keys()], { ...parsed.options, noEmit: true });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((diagnostic) => diagnostic.file && files.has(path.normalize(diagnostic.file.fileName)))
      .map((diagnostic) => {
        const block = files.get(path.normalize(diagnostic.file!.fileName))!;
        const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
        return `${block.file}:${block.line + 1 + line}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
      });
    expect(problems).to.deep.equal([]);
  });

  it('runs the blocks marked run', () => {
    const failures = [...files]
      .filter(([, block]) => block.test.kind === 'run')
      .map(([file, block]) => ({ block, run: spawnSync(process.execPath, ['--conditions=esre-source', '--import', 'tsx', file], { cwd: REPO, encoding: 'utf8', timeout: 60_000 }) }))
      .filter(({ run }) => run.status !== 0)
      .map(({ block, run }) => `${where(block)}: exit ${run.status}\n${run.stderr}`);
    expect(failures).to.deep.equal([]);
  });
});
