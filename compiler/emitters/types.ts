import { codeFileEmitter } from './code.js';

/** `types.ts`: state, payload and event types derived from the schema module, the inbound event union, rule types. */
export const typesEmitter = codeFileEmitter('types', 'types.ts', 'types derived from the schemas');
