import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The file the outbox Lambda is bundled from: `runtime/eventbridge/lambda.ts` when running
 * from the sources, `dist/runtime/eventbridge/lambda.js` when installed from npm.
 */
export function outboxHandlerEntry(): string {
  for (const extension of ['.ts', '.js']) {
    const path = fileURLToPath(new URL(`../eventbridge/lambda${extension}`, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('event-sourced-rules-engine/cdk: cannot find the outbox handler entry (eventbridge/lambda.ts or .js)');
}
