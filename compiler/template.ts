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
  for (const segment of parsed(template)) {
    if (segment.list === undefined) {
      output.push(substitute(segment.text, data.tokens));
      continue;
    }
    const items = data.lists?.[segment.list];
    if (!items) throw new Error(`template: no list named ${segment.list}`);
    for (const item of items) {
      const tokens = { ...data.tokens, ...item };
      output.push(segment.nested ? instantiate(segment.text, { tokens, ...(data.lists ? { lists: data.lists } : {}) }) : substitute(segment.text, tokens));
    }
  }
  return output.join('\n');
}

/** A run of a template's lines: repeated per item of `list` (an `@each` block), or once. */
interface Segment {
  readonly list?: string;
  readonly text: string;
  /** An `@each` block with blocks of its own inside. */
  readonly nested?: boolean;
}

const segmentsOf = new Map<string, readonly Segment[]>();

/** A template split into segments (cached): `//!` lines dropped, `@each` blocks apart from the lines around them. */
function parsed(template: string): readonly Segment[] {
  const known = segmentsOf.get(template);
  if (known) return known;
  const segments: Segment[] = [];
  const lines = template.split('\n');
  let plain: string[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (line.startsWith('//!')) continue;
    const each = /^\s*\/\/ @each (\w+)\s*$/.exec(line);
    if (!each) {
      plain.push(line);
      continue;
    }
    if (plain.length > 0) segments.push({ text: plain.join('\n') });
    plain = [];
    const block: string[] = [];
    let depth = 1;
    for (index++; index < lines.length; index++) {
      if (EACH.test(lines[index]!)) depth++;
      else if (END.test(lines[index]!) && --depth === 0) break;
      block.push(lines[index]!);
    }
    if (index >= lines.length) throw new Error(`template: @each ${each[1]} has no @end`);
    segments.push({ list: each[1]!, text: block.join('\n'), nested: block.some((inner) => EACH.test(inner)) });
  }
  if (plain.length > 0) segments.push({ text: plain.join('\n') });
  segmentsOf.set(template, segments);
  return segments;
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
