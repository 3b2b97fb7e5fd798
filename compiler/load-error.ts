/**
 * Turns an error thrown while importing a config or schema module into `file:line:column` and
 * a one-line message: errors the bundle loader located (esbuild's, link errors), esbuild syntax
 * errors through tsx, imports Node cannot resolve (ES module and CommonJS projects), exports a
 * module lacks, and errors thrown while the module runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModuleLoadError, isScratchFile } from './bundle-loader.js';

/** A place in a source file; line and column count from 1. */
export interface SourceLocation {
  /** Absolute path. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** What went wrong while loading a module, and where when that is known. */
export interface LoadFailure {
  /** One line, without the location. */
  readonly message: string;
  readonly location?: SourceLocation;
}

/** Folder of the compiler's own modules: stack frames in them are not the user's code. */
const COMPILER_DIR = path.dirname(fileURLToPath(import.meta.url));

/** Explains an error thrown while importing a module. */
export function explainLoadError(error: unknown): LoadFailure {
  if (error instanceof ModuleLoadError) return error.location ? { message: error.message, location: error.location } : { message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return syntaxError(message) ?? unresolvedImport(error, message) ?? linkError(error, message) ?? thrownError(error, message);
}

/**
 * A hint for the commonest mistake in a `zod/mini` module, a classic zod method
 * (`z.string().optional()`, `.min(1)`): `message` gains what zod/mini writes instead, when the
 * failing file imports `zod/mini` and the error is `... .name is not a function`.
 */
export function withZodMiniHint(message: string, file: string): string {
  const method = /\.(\w+) is not a function\b/.exec(message)?.[1];
  if (method === undefined) return message;
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return message;
  }
  if (!/(['"])zod\/mini\1/.test(source)) return message;
  return `${message} (a zod/mini schema has no .${method}() method: wrappers are functions, such as z.optional(x), and checks go to .check(...); see "zod/mini" in docs/compiler.md)`;
}

/** Formats a location as `file:line:column` with `file` relative to `root` (`/`-separated). */
export function formatLocation(location: SourceLocation, root: string): string {
  const relative = path.relative(root, location.file);
  const shown = relative.startsWith('..') || path.isAbsolute(relative) ? location.file : relative.split(path.sep).join('/');
  return `${shown}:${location.line}:${location.column}`;
}

/** esbuild (through tsx): `Transform failed with 1 error:\n/file.ts:4:12: ERROR: Expected ...`. */
function syntaxError(message: string): LoadFailure | undefined {
  if (!/^Transform failed with \d+ errors?:/.test(message)) return undefined;
  const found = [...message.matchAll(/^(.+?):(\d+):(\d+): ERROR: (.*)$/gm)];
  const first = found[0];
  if (!first) return { message: message.split('\n').slice(1).join(' ').trim() || message };
  const more = found.length > 1 ? ` (and ${found.length - 1} more error${found.length > 2 ? 's' : ''})` : '';
  // esbuild counts columns from 0.
  return { message: `${first[4]!.trim()}${more}`, location: { file: path.resolve(first[1]!), line: Number(first[2]), column: Number(first[3]) + 1 } };
}

/**
 * Node cannot resolve an import: `Cannot find module '/abs/x.js' imported from /abs/y.ts` (ES
 * modules) or `Cannot find module './x'` with a require stack (CommonJS). Located at the import
 * in the importing file.
 */
function unresolvedImport(error: unknown, message: string): LoadFailure | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined;
  const esm = /^Cannot find (module|package) '([^']+)' imported from (.+)$/m.exec(message);
  const cjs = /^Cannot find module '([^']+)'/m.exec(message);
  const requireStack = (error as { requireStack?: unknown }).requireStack;
  const importer = esm ? toPath(esm[3]!.trim()) : Array.isArray(requireStack) && typeof requireStack[0] === 'string' ? toPath(requireStack[0]) : undefined;
  const target = esm ? esm[2]! : cjs?.[1];
  if (!importer || !target) return { message: message.split('\n')[0]! };
  const kind = esm?.[1] ?? 'module';
  const found = findImport(importer, target, kind === 'package');
  if (!found) return { message: `Cannot find ${kind} '${target}'`, location: { file: importer, line: 1, column: 1 } };
  return { message: `Cannot find ${kind} '${found.specifier}'`, location: { file: importer, line: found.line, column: found.column } };
}

/** V8 link errors (`does not provide an export named`): the stack starts with `file:line`, the source line and a caret. */
function linkError(error: unknown, message: string): LoadFailure | undefined {
  if (!(error instanceof SyntaxError) || typeof error.stack !== 'string') return undefined;
  const [head, , caret] = error.stack.split('\n');
  const place = /^(.+):(\d+)$/.exec(head ?? '');
  if (!place || !caret || !caret.includes('^')) return undefined;
  return { message: `${error.name}: ${message}`, location: { file: toPath(place[1]!), line: Number(place[2]), column: caret.indexOf('^') + 1 } };
}

/** An error thrown while the module runs: located at the innermost stack frame in the user's files. */
function thrownError(error: unknown, message: string): LoadFailure {
  const named = error instanceof Error && error.name !== 'Error' ? `${error.name}: ` : '';
  const text = `${named}${message.split('\n')[0]}`;
  const stack = error instanceof Error && typeof error.stack === 'string' ? error.stack : '';
  for (const line of stack.split('\n')) {
    const frame = /^\s*at (?:.*?\()?((?:file:\/\/)?(?:\/|[A-Za-z]:[\\/]).*?):(\d+):(\d+)\)?\s*$/.exec(line);
    if (!frame) continue;
    const file = toPath(frame[1]!);
    if (file.includes(`${path.sep}node_modules${path.sep}`) || file.startsWith(COMPILER_DIR + path.sep) || isScratchFile(file)) continue;
    return { message: text, location: { file, line: Number(frame[2]), column: Number(frame[3]) } };
  }
  return { message: text };
}

/** The import of `target` in `importer` (a resolved path, or a package name), with its position. */
function findImport(importer: string, target: string, isPackage: boolean): { specifier: string; line: number; column: number } | undefined {
  if (!existsSync(importer)) return undefined;
  const source = readFileSync(importer, 'utf8');
  const wanted = isPackage || !path.isAbsolute(toPath(target)) ? undefined : withoutExtension(toPath(target));
  for (const match of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(['"])([^'"\n]+)\1/g)) {
    const specifier = match[2]!;
    const matches = wanted
      ? specifier.startsWith('.') && withoutExtension(path.resolve(path.dirname(importer), specifier)) === wanted
      : specifier === target || specifier.startsWith(`${target}/`);
    if (!matches) continue;
    const offset = match.index! + match[0].length - specifier.length - 1;
    const before = source.slice(0, offset);
    const line = before.split('\n').length;
    return { specifier, line, column: offset - before.lastIndexOf('\n') };
  }
  return undefined;
}

function withoutExtension(file: string): string {
  return file.replace(/\.(?:[cm]?[jt]s|tsx|jsx)$/, '');
}

function toPath(fileOrUrl: string): string {
  const bare = fileOrUrl.replace(/\?.*$/, '');
  return bare.startsWith('file:') ? fileURLToPath(bare) : bare;
}
