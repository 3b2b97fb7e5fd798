import path from 'node:path';
import { type ResolvedConfig, findConfigFile, loadConfigWith } from './config.js';
import { BundleLoader } from './bundle-loader.js';

/** Loads `esre.config.ts` (found in `cwd`, or at `config` relative to it), checks it and resolves its paths. */
export async function loadConfig(options: { cwd?: string; config?: string } = {}): Promise<ResolvedConfig> {
  const loader = await BundleLoader.create();
  try {
    return await loadConfigWith(loader, findConfigFile(path.resolve(options.cwd ?? process.cwd()), options.config));
  } finally {
    await loader.dispose();
  }
}
