#!/usr/bin/env node
// The `esre` command. Runs the compiled CLI from dist/ when the package is built; inside a
// source checkout it runs the TypeScript sources through tsx, in this same process, with the
// package resolving its own name to those sources (the `esre-source` export condition).
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = new URL('../dist/compiler/cli.js', import.meta.url);
const source = new URL('../compiler/cli.ts', import.meta.url);

if (existsSync(fileURLToPath(built)) && !existsSync(fileURLToPath(source))) {
  await import(built.href);
} else if (existsSync(fileURLToPath(source))) {
  const addSourceCondition =
    'export async function resolve(specifier, context, next) {' +
    " return next(specifier, { ...context, conditions: [...new Set([...context.conditions, 'esre-source'])] }); }";
  register(`data:text/javascript,${encodeURIComponent(addSourceCondition)}`);
  const tsx = await import('tsx/esm/api');
  tsx.register();
  await import(source.href);
} else {
  console.error(
    `esre: this copy of event-sourced-rules-engine (${root}) has no dist/: it was packed or linked without being built.\n` +
      'Install a published version (npm install event-sourced-rules-engine), or a tarball made by `npm pack` in a checkout\n' +
      '(npm pack builds dist/ first); in a checkout you link to, run `npm run build` once.',
  );
  process.exit(1);
}
