/**
 * Writes a compiler benchmark project: `esre.config.ts` and `aggregates` schema modules with
 * `events` inbound events each, in a folder under the OS temp folder that resolves `zod` and
 * `event-sourced-rules-engine` to this repository.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** One schema module's source. */
function schemaModule(index: number, events: number): string {
  const number = String(index).padStart(2, '0');
  const inbound = Array.from({ length: events }, (_, event) => {
    const name = `ITEM_${String(event).padStart(2, '0')}_CHANGED`;
    return `    ${name}: z.object({ amount: z.number().positive(), note: z.string().max(200), at: z.string(), tags: z.array(z.string()).default([]) }),`;
  }).join('\n');
  return `import { z } from 'zod';
import { defineAggregate } from 'event-sourced-rules-engine/schema';

/** Generated benchmark aggregate ${number}. */
export default defineAggregate({
  name: 'thing${number}',
  type: 'THING_${number}',
  description: 'Benchmark aggregate ${number}.',
  state: z.object({
    owner: z.string(),
    total: z.number(),
    count: z.number().int(),
    status: z.enum(['new', 'active', 'closed']),
  }),
  initial: { owner: '', total: 0, count: 0, status: 'new' },
  inbound: {
${inbound}
  },
  outbound: {
    TOTAL_CHANGED: z.object({ total: z.number(), change: z.number() }),
    LIMIT_REACHED: z.object({ total: z.number(), limit: z.number() }),
  },
  indexes: { byOwner: 'owner' },
});
`;
}

/** Creates the project and returns its folder. */
export function writeGeneratedProject(aggregates: number, events: number): string {
  const root = mkdtempSync(join(tmpdir(), 'esre-bench-compiler-'));
  mkdirSync(join(root, 'schemas'));
  mkdirSync(join(root, 'node_modules'));
  symlinkSync(REPO, join(root, 'node_modules', 'event-sourced-rules-engine'), 'dir');
  symlinkSync(join(REPO, 'node_modules', 'zod'), join(root, 'node_modules', 'zod'), 'dir');
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'esre-bench-project', private: true, type: 'module' }, null, 2));
  writeFileSync(
    join(root, 'esre.config.ts'),
    `import { defineConfig } from 'event-sourced-rules-engine/schema';

export default defineConfig({
  schemas: ['schemas/*.schema.ts'],
  output: 'src/generated',
  rules: 'src/rules',
  service: { name: 'bench-service', eventSource: 'com.example.bench', eventBusName: 'bench-events' },
  cdk: { output: 'infra' },
});
`,
  );
  for (let index = 1; index <= aggregates; index++) {
    writeFileSync(join(root, 'schemas', `thing${String(index).padStart(2, '0')}.schema.ts`), schemaModule(index, events));
  }
  return root;
}
