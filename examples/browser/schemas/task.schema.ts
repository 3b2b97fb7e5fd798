import * as z from 'zod/mini';
import { defineAggregate } from 'event-sourced-rules-engine/schema';

/** Where a task is on the board. */
const status = z.enum(['todo', 'doing', 'done']);

/**
 * One task of the board, its own aggregate: added, moved between columns, removed and
 * restored. Undo appends the compensating event (a move back, a removal, a restore).
 */
export default defineAggregate({
  name: 'task',
  type: 'TASK',
  description: 'A task on a kanban board: todo, doing, done; removed tasks can be restored.',
  state: z.object({
    title: z.string(),
    tag: z.string(),
    status: z.enum(['new', 'todo', 'doing', 'done', 'removed']),
    /** The column a removed task goes back to when it is restored. */
    removedFrom: z.optional(status),
  }),
  initial: { title: '', tag: '', status: 'new' },
  inbound: {
    TASK_ADDED: z.object({
      title: z.string().check(z.trim(), z.minLength(1, 'Enter a title'), z.maxLength(60, 'At most 60 characters')),
      tag: z.string().check(z.trim(), z.regex(/^[a-z0-9-]{1,20}$/, 'One word: lowercase letters, digits and dashes (at most 20)')),
    }),
    TASK_MOVED: z.object({ to: status }),
    TASK_REMOVED: z.object({}),
    TASK_RESTORED: z.object({}),
  },
  outbound: {
    TASK_COMPLETED: z.object({ title: z.string(), tag: z.string() }),
    TASK_REOPENED: z.object({ title: z.string(), tag: z.string() }),
  },
  indexes: { byStatus: 'status', byTag: 'tag' },
});
