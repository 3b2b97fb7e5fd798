/**
 * Code blocks of the project's markdown files, with the `<!-- doc-test: ... -->` marker on the
 * line before each (the convention is in CONTRIBUTING.md, "Code blocks in the documentation").
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** What the marker before a block asks of the docs harness. */
export type DocTest = { readonly kind: 'check' } | { readonly kind: 'run' } | { readonly kind: 'fragment' } | { readonly kind: 'tested-in'; readonly spec: string };

export interface CodeBlock {
  /** The markdown file, relative to the repository root (`docs/stores.md`). */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The fence's language tag (`ts`, `sh`, ...), `''` when it has none. */
  readonly language: string;
  /** The block's text, dedented to its fence, ending with a newline. */
  readonly code: string;
  readonly test: DocTest;
}

const MARKER = /^\s*<!--\s*doc-test:\s*(run|fragment|tested-in\s+(\S+))\s*-->\s*$/;

/** The markdown files whose code blocks are checked, relative to `root`. */
export function documentationFiles(root: string): string[] {
  const docs = existsSync(path.join(root, 'docs'))
    ? readdirSync(path.join(root, 'docs'))
        .filter((name) => name.endsWith('.md'))
        .sort()
        .map((name) => `docs/${name}`)
    : [];
  return ['README.md', 'CONTRIBUTING.md', ...docs, 'bench/README.md'].filter((file) => existsSync(path.join(root, file)));
}

/** Every fenced code block of a markdown file, in order. */
export function codeBlocks(root: string, file: string): CodeBlock[] {
  const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = /^( *)(`{3,})([\w-]*)\s*$/.exec(lines[index]!);
    if (!open) continue;
    const [, indent, fence, language] = open;
    const body: string[] = [];
    let end = index + 1;
    while (end < lines.length && !new RegExp(`^ {0,${indent!.length}}${fence}\\s*$`).test(lines[end]!)) {
      body.push(lines[end]!.slice(indent!.length));
      end++;
    }
    const marker = MARKER.exec(index > 0 ? lines[index - 1]! : '');
    const test: DocTest = !marker
      ? { kind: 'check' }
      : marker[2]
        ? { kind: 'tested-in', spec: marker[2] }
        : { kind: marker[1] as 'run' | 'fragment' };
    blocks.push({ file, line: index + 1, language: language!, code: `${body.join('\n')}\n`, test });
    index = end;
  }
  return blocks;
}

/** Whether a block is TypeScript (the harness type-checks those). */
export function isTypeScript(block: CodeBlock): boolean {
  return ['ts', 'typescript', 'tsx', 'mts', 'cts'].includes(block.language);
}
