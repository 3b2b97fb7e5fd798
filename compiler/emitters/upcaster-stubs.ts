import type { EmitContext, EmittedFile, Emitter } from '../emitter.js';

/**
 * One upcaster stub per version step of a versioned inbound event, in
 * `<rules>/<aggregate>/upcasters/<event>V<n>ToV<n+1>.ts`: a typed function from the version-n
 * payload to the version-n+1 payload. Like rule stubs, they belong to the user: created only
 * when the file does not exist, never overwritten, and `esre check` fails while one still
 * carries the `esre:stub` marker.
 */
export const upcasterStubsEmitter: Emitter = {
  name: 'upcaster-stubs',
  emit(context: EmitContext): EmittedFile[] {
    const files: EmittedFile[] = [];
    for (const aggregate of context.model.aggregates) {
      for (const upcaster of aggregate.upcasters) {
        if (upcaster.exists) continue;
        const event = aggregate.inbound.find((candidate) => candidate.type === upcaster.event)!;
        const next = upcaster.from + 1;
        const header =
          `// Created by esre from ${context.projectPath(aggregate.schemaFile)}. This file is yours: esre never overwrites it.\n` +
          `// Implement the upcaster below; \`npx esre check\` fails until its stub marker is gone.`;
        const content = context.typeScriptFromTemplate('rules/upcasters/somethingHappenedV1ToV2.ts', aggregate, upcaster.file, {
          header,
          tokens: {
            SOMETHING_HAPPENED: event.type,
            SomethingHappenedV1Payload: `${event.pascal}V${upcaster.from}Payload`,
            SomethingHappenedPayload: `${event.pascal}V${next}Payload`,
            somethingHappenedV1ToV2: upcaster.name,
            "'../../types.js'": `'${context.specifier(upcaster.file, `${aggregate.outputDir}/types.ts`)}'`,
            'version 1 into version 2': `version ${upcaster.from} into version ${next}`,
            'version 1 to 2': `version ${upcaster.from} to ${next}`,
            'schema version 1': `schema version ${upcaster.from}`,
            'version 2 needs': `version ${next} needs`,
          },
        });
        files.push({ path: upcaster.file, owner: 'user', language: 'typescript', content });
      }
    }
    return files;
  },
};
