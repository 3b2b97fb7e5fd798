// Imports one module specifier with a resolve hook that logs every module resolved and the
// module that asked for it, one JSON line each, to the file named by PROBE_LOG.
import { register } from 'node:module';

const hook = `
import { appendFileSync } from 'node:fs';
const log = ${JSON.stringify(process.env.PROBE_LOG)};
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(log, JSON.stringify({ specifier, url: result.url, parent: context.parentURL ?? null }) + '\\n');
  return result;
}
`;
register('data:text/javascript,' + encodeURIComponent(hook));
await import(process.argv[2]);
