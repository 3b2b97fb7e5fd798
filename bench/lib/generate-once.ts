/**
 * Runs `generate()` once in this (fresh) process and writes what it did as JSON to a file:
 * `generate-once.ts <project folder> <output.json>`. The compiler benchmark times this process
 * from spawn to exit, module loading included.
 */
import { writeFileSync } from 'node:fs';
import { generate } from 'event-sourced-rules-engine/compiler';

const [cwd, output] = process.argv.slice(2);
if (!cwd || !output) throw new Error('usage: generate-once.ts <project folder> <output.json>');
const result = await generate({ cwd });
writeFileSync(
  output,
  JSON.stringify({
    written: result.written.length,
    unchanged: result.unchanged.length,
    stubsCreated: result.stubsCreated.length,
    removed: result.removed.length,
    // User + system CPU time of this whole process (module loading included), in seconds.
    cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  }),
);
