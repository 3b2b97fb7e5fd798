// Created by esre from schemas/task.schema.ts. This file is yours: esre never overwrites it.
// Implemented by hand.

import type { TaskRule } from '../../generated/task/types.js';

/** The rule for TASK_REMOVED: takes a task off the board, remembering its column for a restore. */
const taskRemovedRule: TaskRule<'TASK_REMOVED'> = ({ state }) => {
  if (state.status === 'new' || state.status === 'removed') return state;
  state.removedFrom = state.status;
  state.status = 'removed';
  return state;
};

export default taskRemovedRule;
