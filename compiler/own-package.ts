/** This package's own location: its modules are loaded once, as installed, never as project files. */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** This package's folder (real path): the nearest `package.json` above this module (`compiler/` or `dist/compiler/`). */
export const PACKAGE_ROOT = (() => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (let folder = here; ; folder = path.dirname(folder)) {
    if (existsSync(path.join(folder, 'package.json'))) return realpathSync(folder);
    if (path.dirname(folder) === folder) return here;
  }
})();

const OWN_FOLDERS = ['compiler', 'runtime', 'dist', 'templates', 'bin'].map((folder) => path.join(PACKAGE_ROOT, folder) + path.sep);

/** Whether a file (a real path) is one of this package's own modules (in a checkout, or linked into a project). */
export function isOwnFile(file: string): boolean {
  return OWN_FOLDERS.some((folder) => file.startsWith(folder));
}
