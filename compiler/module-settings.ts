/**
 * The settings files that decide how a project file compiles and loads, besides its own text:
 * the nearest `package.json` (its `type`; for a workspace package, its `exports` and `main`),
 * the nearest `tsconfig.json` or `jsconfig.json` (esbuild takes `paths` and compiler options from
 * it) and every file that one `extends`. The files looked for on the way up and not found are
 * settings too: creating one changes how the file compiles. The rerun cache hashes them all.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const MANIFEST = 'package.json';
const TSCONFIGS = ['tsconfig.json', 'jsconfig.json'];

/**
 * Adds to `found` the settings files of the project files in `folder` (absolute): those that
 * exist and those looked for before them. `visited` remembers the folders already done.
 */
export function addSettingsFiles(folder: string, found: Set<string>, visited: Set<string>): void {
  if (visited.has(folder)) return;
  visited.add(folder);
  let manifestFound = false;
  let tsconfigFound = false;
  for (let at = folder; !(manifestFound && tsconfigFound); at = path.dirname(at)) {
    if (!manifestFound) {
      found.add(path.join(at, MANIFEST));
      manifestFound = existsSync(path.join(at, MANIFEST));
    }
    if (!tsconfigFound) {
      for (const name of TSCONFIGS) {
        const tsconfig = path.join(at, name);
        found.add(tsconfig);
        if (existsSync(tsconfig)) {
          addExtended(tsconfig, found);
          tsconfigFound = true;
          break;
        }
      }
    }
    if (path.dirname(at) === at) break;
  }
}

/** Adds the files a tsconfig `extends`, transitively (relative paths, or files of installed packages). */
function addExtended(tsconfig: string, found: Set<string>, chain: Set<string> = new Set()): void {
  if (chain.has(tsconfig)) return;
  chain.add(tsconfig);
  let extended: unknown;
  try {
    extended = (JSON.parse(withoutComments(readFileSync(tsconfig, 'utf8'))) as { extends?: unknown }).extends;
  } catch {
    return; // esbuild reports a tsconfig it cannot read; its own hash covers it
  }
  for (const specifier of [extended].flat()) {
    if (typeof specifier !== 'string') continue;
    const file = extendedFile(specifier, tsconfig);
    if (file === undefined) continue;
    found.add(file);
    if (existsSync(file)) addExtended(file, found, chain);
  }
}

/** The file an `extends` names: a path relative to the tsconfig, or a package's file (`.json` optional). */
function extendedFile(specifier: string, tsconfig: string): string | undefined {
  if (specifier.startsWith('.') || path.isAbsolute(specifier)) {
    const file = path.resolve(path.dirname(tsconfig), specifier);
    return existsSync(file) || file.endsWith('.json') ? file : `${file}.json`;
  }
  const require = createRequire(tsconfig);
  for (const candidate of [specifier, `${specifier}.json`, `${specifier}/tsconfig.json`]) {
    try {
      return require.resolve(candidate);
    } catch {
      // next form
    }
  }
  return undefined;
}

/** JSON with comments and trailing commas (as tsconfig files are written) made plain JSON. */
function withoutComments(text: string): string {
  return text
    .replace(/"(?:[^"\\]|\\.)*"|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (match) => (match.startsWith('"') ? match : ' '))
    .replace(/"(?:[^"\\]|\\.)*"|,(\s*[}\]])/g, (match, closing: string | undefined) => (closing === undefined ? match : closing));
}
