import { codeFileEmitter } from './code.js';

/** `aggregate.ts`: the typed aggregate class (`AccountAggregate`) over the runtime's `Aggregate`. */
export const aggregateEmitter = codeFileEmitter('aggregate', 'aggregate.ts', 'the typed aggregate class');
