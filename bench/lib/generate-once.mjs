/**
 * `generate-once.ts` for the built package: plain JavaScript, run by Node without tsx, importing
 * the compiler as an installed package resolves it (`dist/`, built by the benchmark first).
 * `generate-once.mjs <project folder> <output.json>`.
 */
import { writeFileSync } from 'node:fs';
import { generate } from 'event-sourced-rules-engine/compiler';

const [cwd, output] = process.argv.slice(2);
if (!cwd || !output) throw new Error('usage: generate-once.mjs <project folder> <output.json>');
const result = await generate({ cwd });
const cpu = process.cpuUsage();
writeFileSync(
  output,
  JSON.stringify({
    written: result.written.length,
    unchanged: result.unchanged.length,
    stubsCreated: result.stubsCreated.length,
    removed: result.removed.length,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  }),
);
