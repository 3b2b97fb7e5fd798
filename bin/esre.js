#!/usr/bin/env node
// The `esre` command. Runs the compiled CLI from dist/ when the package is built; inside a
// source checkout it runs the TypeScript sources through tsx instead.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = new URL('../dist/compiler/cli.js', import.meta.url);
const source = new URL('../compiler/cli.ts', import.meta.url);

if (existsSync(fileURLToPath(built)) && !existsSync(fileURLToPath(source))) {
  await import(built.href);
} else if (existsSync(fileURLToPath(source))) {
  const result = spawnSync(
    process.execPath,
    ['--conditions=esre-source', '--import', 'tsx', fileURLToPath(source), ...process.argv.slice(2)],
    { stdio: 'inherit', env: process.env },
  );
  process.exit(result.status ?? 1);
} else {
  console.error(`esre: cannot find the compiler in ${root} (run npm run build)`);
  process.exit(1);
}
