// Created by esre from schemas/task.schema.ts. This file is yours: esre never overwrites it.
// Implemented by hand.

import type { TaskRule } from '../../generated/task/types.js';

/**
 * The rule for TASK_ADDED: a new task goes to the todo column. Adding an existing task again
 * only renames and retags it.
 */
const taskAddedRule: TaskRule<'TASK_ADDED'> = ({ state, current }) => {
  state.title = current.title;
  state.tag = current.tag;
  if (state.status === 'new') state.status = 'todo';
  return state;
};

export default taskAddedRule;
