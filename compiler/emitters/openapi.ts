import path from 'node:path';
import type { EmitContext, EmittedFile, Emitter } from '../emitter.js';
import { openApiDocument } from '../openapi.js';

/**
 * `<output>/openapi.json`: the OpenAPI 3.1 document of the HTTP service (`service.api`), for
 * every aggregate it serves (see `compiler/openapi.ts`). Nothing when the service is off or
 * every aggregate opts out. The generated-file header is the extension `x-generated`, right
 * after `openapi` (the writer recognizes its files by the header near their start).
 */
export const openApiEmitter: Emitter = {
  name: 'openapi',
  emit(context: EmitContext): EmittedFile[] {
    const { api, service, output, file } = context.config;
    const aggregates = context.model.aggregates.filter((aggregate) => aggregate.api);
    if (api === null || aggregates.length === 0) return [];
    const document = openApiDocument({
      title: service?.name ?? path.basename(context.config.root),
      auth: api.auth,
      maxBodyBytes: api.maxBodyBytes,
      aggregates,
    });
    const header = context.headerLines([file, ...aggregates.map((aggregate) => aggregate.schemaFile)]).join(' ');
    const { openapi, ...rest } = document;
    const withHeader = { openapi, 'x-generated': header, ...rest };
    return [{ path: path.join(output, 'openapi.json'), owner: 'generator', content: `${JSON.stringify(withHeader, null, 2)}\n` }];
  },
};
