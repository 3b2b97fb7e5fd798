// Created by esre from schemas/task.schema.ts. This file is yours: esre never overwrites it.
// Implemented by hand.

import type { TaskRule } from '../../generated/task/types.js';

/** The rule for TASK_RESTORED: puts a removed task back in the column it was removed from. */
const taskRestoredRule: TaskRule<'TASK_RESTORED'> = ({ state }) => {
  if (state.status !== 'removed') return state;
  state.status = state.removedFrom ?? 'todo';
  delete state.removedFrom;
  return state;
};

export default taskRestoredRule;
