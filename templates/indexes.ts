//! Template of `indexes.ts`: the index definitions, a path index or a hand-written key function.
import { type IndexDefinition, defineIndex } from 'event-sourced-rules-engine';
import type { IndexKeyOf } from 'event-sourced-rules-engine/schema';
// @each functionIndex
import { keyFunction as byOtherKeys } from './template.keys.js';
// @end
import type { TemplateState } from './types.js';

/** The indexes of Template, by name. */
export const templateIndexes = {
  // @each index
  byKey: defineIndex<TemplateState>('byKey', (snapshot) => snapshot.state.key),
  // @end
};

/** The indexes of Template, as the aggregate takes them. */
export const templateIndexList: readonly IndexDefinition<TemplateState>[] = Object.values(templateIndexes);

/** Index name → the type of its keys. */
export type TemplateIndexKeys = {
  [K in keyof typeof templateIndexes]: IndexKeyOf<ReturnType<(typeof templateIndexes)[K]['keys']>>;
};
