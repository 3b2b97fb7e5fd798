import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Token → replacement text. */
export type Tokens = Readonly<Record<string, string>>;

/** What a template is instantiated with: tokens for the whole file and token lists for `@each` blocks. */
export interface TemplateData {
  readonly tokens: Tokens;
  readonly lists?: Readonly<Record<string, readonly Tokens[]>>;
}

/** The folder of the TypeScript templates: `templates/` at the package root (from `compiler/` or `dist/compiler/`). */
export const TEMPLATES_DIR = ['../templates/', '../../templates/']
  .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
  .find((folder) => existsSync(`${folder}template.schema.ts`)) ?? fileURLToPath(new URL('../templates/', import.meta.url));

const cache = new Map<string, string>();

/** Reads a template (cached), e.g. `aggregate.ts` or `rules/somethingHappened.ts`. */
export function readTemplate(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(TEMPLATES_DIR + name, 'utf8');
    cache.set(name, text);
  }
  return text;
}

/**
 * Instantiates a template. Templates are valid, type-checked TypeScript written for a sample
 * aggregate (`templates/template.schema.ts`); instantiating:
 * - drops `//!` lines (notes about the template itself),
 * - repeats the lines between `// @each LIST` and `// @end` once per item of `lists[LIST]`,
 *   replacing the item's tokens and the file's tokens in one pass (blocks nest: an inner block
 *   is repeated per item of its own list, with the outer item's tokens too),
 * - replaces the file's tokens everywhere else.
 * A token matches only where no identifier character precedes it, so `Template` matches in
 * `TemplateState` but not in `MyTemplate`; longer tokens win over shorter ones.
 */
export function instantiate(template: string, data: TemplateData): string {
  const output: string[] = [];
  const lines = template.split('\n');
  const fileTokens = data.tokens;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (line.startsWith('//!')) continue;
    const each = /^\s*\/\/ @each (\w+)\s*$/.exec(line);
    if (!each) {
      output.push(substitute(line, fileTokens));
      continue;
    }
    const block: string[] = [];
    let depth = 1;
    for (index++; index < lines.length; index++) {
      if (EACH.test(lines[index]!)) depth++;
      else if (END.test(lines[index]!) && --depth === 0) break;
      block.push(lines[index]!);
    }
    if (index >= lines.length) throw new Error(`template: @each ${each[1]} has no @end`);
    const items = data.lists?.[each[1]!];
    if (!items) throw new Error(`template: no list named ${each[1]}`);
    const text = block.join('\n');
    const nested = block.some((line) => EACH.test(line));
    for (const item of items) {
      const tokens = { ...fileTokens, ...item };
      output.push(nested ? instantiate(text, { tokens, ...(data.lists ? { lists: data.lists } : {}) }) : substitute(text, tokens));
    }
  }
  return output.join('\n');
}

const EACH = /^\s*\/\/ @each \w+\s*$/;
const END = /^\s*\/\/ @end\s*$/;

const patterns = new Map<string, RegExp>();

function substitute(text: string, tokens: Tokens): string {
  const keys = Object.keys(tokens);
  if (keys.length === 0) return text;
  const signature = keys.join('\u0000');
  let pattern = patterns.get(signature);
  if (!pattern) {
    const alternatives = [...keys].sort((a, b) => b.length - a.length).map(escapeRegExp);
    pattern = new RegExp(`(?<![A-Za-z0-9_$])(?:${alternatives.join('|')})`, 'g');
    patterns.set(signature, pattern);
  }
  return text.replace(pattern, (match) => tokens[match]!);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
