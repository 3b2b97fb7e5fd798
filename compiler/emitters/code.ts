import path from 'node:path';
import type { EmitContext, EmittedFile, Emitter } from '../emitter.js';

/**
 * An emitter of one generated TypeScript file per aggregate, instantiated from a template of
 * the same name (`templates/<name>`), into the aggregate's output folder.
 */
export function codeFileEmitter(name: string, template: string, description: string): Emitter & { readonly description: string } {
  return {
    name,
    description,
    emit(context: EmitContext): EmittedFile[] {
      return context.model.aggregates.map((aggregate) => {
        const file = path.join(aggregate.outputDir, template);
        return {
          path: file,
          owner: 'generator',
          language: 'typescript',
          content: context.typeScriptFromTemplate(template, aggregate, file, { header: context.tsHeader([aggregate.schemaFile]) }),
        };
      });
    },
  };
}
