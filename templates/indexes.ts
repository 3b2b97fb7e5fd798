//! Template of `indexes.ts`: the index definitions, a state path or a hand-written key function,
//! and the key type of each index (what its key function returns, arrays flattened).
import { type IndexDefinition, type Snapshot, defineIndex } from 'event-sourced-rules-engine';
import type { IndexKeyOf } from 'event-sourced-rules-engine/schema';
// @each functionIndex
import { keyFunction as byOtherKeys } from './template.keys.js';
// @end
import type { TemplateState } from './types.js';
// @each pathIndex

/** Keys of the byKey index. */
const byKeyKeys = (snapshot: Snapshot<TemplateState>) => snapshot.state.key;
// @end

/** The indexes of Template, by name. */
export const templateIndexes = {
  // @each index
  byKey: defineIndex<TemplateState>('byKey', byKeyKeys),
  // @end
};

/** The indexes of Template, as the aggregate takes them. */
export const templateIndexList: readonly IndexDefinition<TemplateState>[] = Object.values(templateIndexes);

/** Index name → the type of its keys. */
export interface TemplateIndexKeys {
  // @each index
  byKey: IndexKeyOf<ReturnType<typeof byKeyKeys>>;
  // @end
}
