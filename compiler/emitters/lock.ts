import type { EmitContext, EmittedFile, Emitter } from '../emitter.js';
import { lockFilePath, lockText } from '../lock.js';

/**
 * `esre.lock.json` next to the config: the schemas this run generated from (see `lock.ts`).
 * Nothing when the run did not compare with a lock (an emitter run on a bare model).
 */
export const lockEmitter: Emitter = {
  name: 'lock',
  emit(context: EmitContext): EmittedFile[] {
    if (!context.lock) return [];
    return [{ path: lockFilePath(context.config), owner: 'generator', content: lockText(context.lock) }];
  },
};
