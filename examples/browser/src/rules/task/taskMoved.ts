// Created by esre from schemas/task.schema.ts. This file is yours: esre never overwrites it.
// Implemented by hand.

import type { TaskRule } from '../../generated/task/types.js';

/**
 * The rule for TASK_MOVED: moves a task on the board to another column. Moving into done
 * publishes TASK_COMPLETED, moving out of done TASK_REOPENED. A task that is not on the board
 * (not added yet, or removed) does not move.
 */
const taskMovedRule: TaskRule<'TASK_MOVED'> = ({ state, current, publish }) => {
  if (state.status === 'new' || state.status === 'removed' || state.status === current.to) return state;
  const from = state.status;
  state.status = current.to;
  if (current.to === 'done') publish('TASK_COMPLETED', { title: state.title, tag: state.tag });
  else if (from === 'done') publish('TASK_REOPENED', { title: state.title, tag: state.tag });
  return state;
};

export default taskMovedRule;
