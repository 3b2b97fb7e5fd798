import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type EmittedFile, GENERATED_MARKER } from './emitter.js';

/** What writing a plan would do (or did) to each file. */
export interface FileChanges {
  /** Generated files whose content changed or that did not exist. */
  readonly write: readonly EmittedFile[];
  /** Generated files already up to date. */
  readonly unchanged: readonly string[];
  /** Rule stubs to create (their files do not exist). */
  readonly createStubs: readonly EmittedFile[];
  /** Generated files (recognized by their header) that no emitter produces any more. */
  readonly remove: readonly string[];
  /** Files owned by the user (rule files, the CDK app, cdk.json) that exist already: never written. */
  readonly kept: readonly string[];
}

const SKIPPED_FOLDERS = new Set(['node_modules', 'cdk.out', '.git']);

/**
 * Compares emitted files with the disk. `roots` are the folders whose stray generated files are
 * removed. The returned files carry their final content: TypeScript is formatted by
 * construction (templates are formatted and tokens are identifiers or quoted strings; the
 * compiler's tests hold every emitted file to the TypeScript formatter), so the writer only
 * evens out the blank lines an empty `@each` block leaves (see {@link tidyBlankLines}).
 */
export async function diff(files: readonly EmittedFile[], roots: readonly string[]): Promise<FileChanges> {
  const final = (file: EmittedFile): EmittedFile => (file.language === 'typescript' ? { ...file, content: tidyBlankLines(file.content) } : file);
  const write: EmittedFile[] = [];
  const unchanged: string[] = [];
  const createStubs: EmittedFile[] = [];
  const kept: string[] = [];
  const planned = new Set<string>();
  // a folder that does not exist has no files to read (a cold run: no failed read per file)
  const folders = new Map<string, boolean>();
  const folderExists = (folder: string): boolean => {
    let exists = folders.get(folder);
    if (exists === undefined) folders.set(folder, (exists = existsSync(folder)));
    return exists;
  };
  for (const file of [...files].sort((a, b) => compare(a.path, b.path))) {
    if (planned.has(file.path)) throw new Error(`two emitters produce ${file.path}`);
    planned.add(file.path);
    const current = folderExists(path.dirname(file.path)) ? readIfExists(file.path) : undefined;
    if (file.owner === 'user') {
      if (current === undefined) createStubs.push(final(file));
      else kept.push(file.path);
    } else {
      const finished = final(file);
      if (current === finished.content) unchanged.push(file.path);
      else write.push(finished);
    }
  }
  const remove = roots.flatMap((root) => generatedFilesUnder(root)).filter((file) => !planned.has(file));
  return { write, unchanged, createStubs, remove: [...new Set(remove)].sort(compare), kept };
}

/** A file's content; undefined when it does not exist (one system call either way). */
function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** At most one blank line in a row, none at the start, one newline at the end (what the formatter gives too). */
export function tidyBlankLines(text: string): string {
  return text.replace(/\n{3,}/g, '\n\n').replace(/^\n+/, '').replace(/\n*$/, '\n');
}

/**
 * Applies the changes: each file goes to a temporary file beside it, then is renamed over the
 * target, so no reader ever sees half a file. Everything was computed and checked before this.
 */
export function apply(changes: FileChanges): void {
  const folders = new Set<string>();
  for (const file of [...changes.write, ...changes.createStubs]) {
    const folder = path.dirname(file.path);
    if (!folders.has(folder)) {
      mkdirSync(folder, { recursive: true });
      folders.add(folder);
    }
    writeAtomically(file.path, file.content);
  }
  for (const file of changes.remove) rmSync(file, { force: true });
}

function writeAtomically(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.esre-tmp`;
  try {
    writeFileSync(temporary, content);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Files under `root` that start with the generated header. */
function generatedFilesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) walk(full);
      } else if (entry.isFile() && startsWithMarker(full)) found.push(full);
    }
  };
  walk(root);
  return found;
}

function startsWithMarker(file: string): boolean {
  const buffer = Buffer.alloc(200);
  const descriptor = openSync(file, 'r');
  try {
    const length = readSync(descriptor, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, length).toString('utf8').includes(GENERATED_MARKER);
  } finally {
    closeSync(descriptor);
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
