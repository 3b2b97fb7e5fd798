/**
 * Runs one benchmark case in this process and writes its rows as JSON to a file:
 * `node --conditions=esre-source --import tsx bench/case.ts <case> <output.json>`.
 * `bench/run.ts` starts one such process per case, so cases never share a heap.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchCase } from './lib/row.js';

const [name, output] = process.argv.slice(2);
if (!name || !output || !/^[a-z0-9-]+$/.test(name)) {
  process.stderr.write('usage: bench/case.ts <case> <output.json>\n');
  process.exit(2);
}
const file = join(dirname(fileURLToPath(import.meta.url)), 'cases', `${name}.ts`);
const module = (await import(pathToFileURL(file).href)) as { default: BenchCase };
const rows = await module.default();
writeFileSync(output, JSON.stringify(rows));
// The rows are written: end now, even if a case left a socket or timer open.
process.exit(0);
