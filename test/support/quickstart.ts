/**
 * The README's quickstart as steps, read from README.md itself so the tests that follow it
 * (test/compiler.readme.test.ts in the repository, test/package-e2e.test.ts from the packed
 * tarball) follow exactly what a reader follows.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { codeBlocks } from './markdown.js';

export type QuickstartStep =
  | { readonly kind: 'file'; readonly path: string; readonly text: string }
  | { readonly kind: 'commands'; readonly commands: readonly string[] };

export interface Quickstart {
  /** The install commands of the "Install" section. */
  readonly install: readonly string[];
  /** Files to write and commands to run, in the README's order. */
  readonly steps: readonly QuickstartStep[];
  /** What the README says the last command prints. */
  readonly output: string;
}

/** Splits a `sh` block into its commands (one a line; `#` comments dropped). */
const commandsOf = (code: string) =>
  code
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

/** The section of README.md under `## <title>`. */
function section(readme: string, title: string): { start: number; end: number } {
  const lines = readme.split('\n');
  const start = lines.indexOf(`## ${title}`) + 1;
  if (start === 0) throw new Error(`README.md has no "## ${title}" section`);
  const next = lines.findIndex((line, index) => index >= start && line.startsWith('## '));
  return { start, end: next === -1 ? lines.length : next + 1 };
}

/**
 * Reads the quickstart. A file's name is the last `` `path` `` named in the prose just before
 * its block (as a reader would take it); `sh` blocks are commands; the last `text` block is the
 * output.
 */
export function readQuickstart(repo: string): Quickstart {
  const readme = readFileSync(path.join(repo, 'README.md'), 'utf8');
  const lines = readme.split('\n');
  const blocks = codeBlocks(repo, 'README.md');
  const install = section(readme, 'Install');
  const quick = section(readme, 'Quickstart');
  const inside = (range: { start: number; end: number }) => blocks.filter((block) => block.line > range.start && block.line < range.end);

  const steps: QuickstartStep[] = [];
  let output: string | undefined;
  let previousEnd = quick.start;
  for (const block of inside(quick)) {
    const prose = lines.slice(previousEnd, block.line - 1).join('\n');
    previousEnd = block.line + block.code.split('\n').length;
    if (block.language === 'sh') steps.push({ kind: 'commands', commands: commandsOf(block.code) });
    else if (block.language === 'text') output = block.code;
    else {
      const named = [...prose.matchAll(/`([\w./-]+\.(?:ts|json))`/g)].map((match) => match[1]!);
      const file = named.at(-1);
      if (!file) throw new Error(`README.md:${block.line}: no file name before this quickstart block`);
      steps.push({ kind: 'file', path: file, text: block.code });
    }
  }
  if (output === undefined) throw new Error('README.md: the quickstart shows no output (a text block)');
  const installCommands = inside(install)
    .filter((block) => block.language === 'sh')
    .flatMap((block) => commandsOf(block.code));
  return { install: installCommands, steps, output };
}
