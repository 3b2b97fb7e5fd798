import { codeFileEmitter } from './code.js';

/** `rules.index.ts`: the rule files wired into one typed record for the processor. */
export const rulesIndexEmitter = codeFileEmitter('rules-index', 'rules.index.ts', 'the rules index');
