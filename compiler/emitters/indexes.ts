import { codeFileEmitter } from './code.js';

/** `indexes.ts`: the index definitions (state paths or imported key functions) and their key types. */
export const indexesEmitter = codeFileEmitter('indexes', 'indexes.ts', 'index definitions');
