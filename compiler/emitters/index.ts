/**
 * The emitters `esre generate` runs, in order. To add one (e.g. a CDK stack emitter in
 * `emitters/cdk.ts`), implement {@link Emitter} and append it to {@link emitters}: it gets the
 * whole model (config with `service` and `cdkOutput`, aggregates, events with their JSON
 * Schemas; `jsonSchemaPath` gives where each was written) and returns files; the writer does
 * the rest (all or nothing, unchanged files untouched, stale generated files removed).
 */
import type { Emitter } from '../emitter.js';
import { aggregateEmitter } from './aggregate.js';
import { apiEmitter } from './api.js';
import { cdkEmitter } from './cdk.js';
import { diagramEmitter } from './diagram.js';
import { eventsEmitter } from './events.js';
import { indexesEmitter } from './indexes.js';
import { jsonSchemasEmitter } from './json-schemas.js';
import { lockEmitter } from './lock.js';
import { openApiEmitter } from './openapi.js';
import { ruleStubsEmitter } from './rule-stubs.js';
import { rulesIndexEmitter } from './rules-index.js';
import { typesEmitter } from './types.js';
import { upcasterStubsEmitter } from './upcaster-stubs.js';

export { jsonSchemaPath } from './json-schemas.js';

/** Every emitter, in the order they run. */
export const emitters: readonly Emitter[] = [
  typesEmitter,
  eventsEmitter,
  indexesEmitter,
  rulesIndexEmitter,
  aggregateEmitter,
  apiEmitter,
  ruleStubsEmitter,
  upcasterStubsEmitter,
  jsonSchemasEmitter,
  openApiEmitter,
  diagramEmitter,
  cdkEmitter,
  lockEmitter,
];
