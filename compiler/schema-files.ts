import path from 'node:path';
import { glob } from 'tinyglobby';
import type { ResolvedConfig } from './config.js';
import { ConfigError } from './errors.js';

/** Finds the schema modules the config's globs match, sorted. */
export async function findSchemaFiles(config: ResolvedConfig): Promise<string[]> {
  const files = await glob([...config.schemas], {
    cwd: config.root,
    absolute: true,
    ignore: ['**/node_modules/**', path.relative(config.root, config.output).split(path.sep).join('/') + '/**'],
  });
  const sorted = files.map((file) => path.normalize(file)).sort();
  if (sorted.length === 0) throw new ConfigError(`no schema modules match ${config.schemas.join(', ')} (in ${config.root})`);
  return sorted;
}
