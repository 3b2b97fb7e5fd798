/**
 * Runs `generate()` once in this (fresh) process and writes what it did as JSON to a file:
 * `generate-once.mjs <project folder> <output.json>`. The compiler benchmark times this process
 * from spawn to exit, module loading included. Plain JavaScript, so one script serves both
 * modes: run by Node alone, the import resolves as in an installed package (`dist/`); with
 * `--conditions=esre-source --import tsx`, to the TypeScript sources.
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
