import type { EmitContext, EmittedFile, Emitter } from '../emitter.js';

/**
 * One rule stub per inbound event, in the rules folder. Stubs belong to the user: the writer
 * creates a stub only when its file does not exist, and never overwrites one. A stub carries
 * the `esre:stub` marker and throws until implemented.
 */
export const ruleStubsEmitter: Emitter = {
  name: 'rule-stubs',
  emit(context: EmitContext): EmittedFile[] {
    const files: EmittedFile[] = [];
    for (const aggregate of context.model.aggregates) {
      for (const event of aggregate.inbound) {
        const rule = aggregate.rules.get(event.type)!;
        if (rule.exists) continue;
        const header =
          `// Created by esre from ${context.projectPath(aggregate.schemaFile)}. This file is yours: esre never overwrites it.\n` +
          `// Implement the rule below; \`npx esre check\` fails until its stub marker is gone.`;
        const content = context.typeScriptFromTemplate('rules/somethingHappened.ts', aggregate, rule.file, {
          header,
          tokens: { SOMETHING_HAPPENED: event.type, SomethingHappened: event.pascal, somethingHappened: event.camel },
        });
        files.push({ path: rule.file, owner: 'user', language: 'typescript', content });
      }
    }
    return files;
  },
};
