/** Content hashes of files and folders, for the rerun cache (see `rerun-cache.ts`). */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** A short hash of some content. */
export function hashOf(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('base64url');
}

/** The hash of a file's content; `missing` when it cannot be read (so creating it changes the hash). */
export function hashOfFile(file: string): string {
  try {
    return hashOf(readFileSync(file));
  } catch {
    return 'missing';
  }
}

/** The `package.json` of the node_modules package a file belongs to (`…/node_modules/@scope/name/package.json`). */
export function packageManifestOf(file: string): string | undefined {
  const marker = `${path.sep}node_modules${path.sep}`;
  const at = file.lastIndexOf(marker);
  if (at < 0) return undefined;
  const segments = file.slice(at + marker.length).split(path.sep);
  const name = segments[0]!.startsWith('@') ? segments.slice(0, 2) : segments.slice(0, 1);
  return path.join(file.slice(0, at + marker.length), ...name, 'package.json');
}

/** Every file under `folder`, relative and `/`-separated, sorted; [] when the folder does not exist. */
export function filesUnder(folder: string, skip: ReadonlySet<string> = new Set()): string[] {
  if (!existsSync(folder)) return [];
  const found: string[] = [];
  const walk = (current: string, prefix: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      if (skip.has(entry.name)) continue;
      if (entry.isDirectory()) walk(path.join(current, entry.name), `${prefix}${entry.name}/`);
      else found.push(`${prefix}${entry.name}`);
    }
  };
  walk(folder, '');
  return found.sort();
}

/** One hash of the names and contents of the files under the given folders. */
export function hashOfFolders(folders: readonly string[]): string {
  const hash = createHash('sha256');
  for (const folder of folders) {
    for (const file of filesUnder(folder, new Set(['node_modules']))) {
      hash.update(`${folder}\0${file}\0`);
      hash.update(readFileSync(path.join(folder, file)));
    }
  }
  return hash.digest('base64url');
}
