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
  console.error(`esre: cannot find the compiler in ${root} (run npm run build)`);
  process.exit(1);
}
