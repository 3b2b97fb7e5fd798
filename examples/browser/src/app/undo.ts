/**
 * Undo by compensating events: every change this tab makes pushes the event that reverses it
 * (a move back, a removal, a restore). Undo appends that event; the history keeps both, and
 * the compensating event's metadata names the event it undoes.
 */
import type { TaskInboundEvent, TaskState } from '../generated/task/types.js';
import { TaskEvents } from '../generated/task/events.js';

/** One change that can be undone. */
export interface UndoEntry {
  readonly taskId: string;
  /** What the Undo button says, e.g. `Undo "Buy milk" moved to done`. */
  readonly label: string;
  /** Creates the compensating event (a new event each time it is called). */
  readonly compensate: () => TaskInboundEvent;
}

/** The compensation of `event`, applied to a task whose state was `before`; undefined when none is needed. */
export function compensationOf(taskId: string, event: TaskInboundEvent, before: TaskState): UndoEntry | undefined {
  const metadata = { undoes: event.id };
  const title = JSON.stringify(event.type === 'TASK_ADDED' ? event.payload.title : before.title);
  switch (event.type) {
    case 'TASK_ADDED':
      return { taskId, label: `Undo adding ${title}`, compensate: () => TaskEvents.taskRemoved({}, { metadata }) };
    case 'TASK_MOVED': {
      const from = before.status;
      if (from !== 'todo' && from !== 'doing' && from !== 'done') return undefined;
      return { taskId, label: `Undo moving ${title} to ${event.payload.to}`, compensate: () => TaskEvents.taskMoved({ to: from }, { metadata }) };
    }
    case 'TASK_REMOVED':
      return { taskId, label: `Undo removing ${title}`, compensate: () => TaskEvents.taskRestored({}, { metadata }) };
    case 'TASK_RESTORED':
      return { taskId, label: `Undo restoring ${title}`, compensate: () => TaskEvents.taskRemoved({}, { metadata }) };
  }
}

/** This tab's undo stack (the most recent change last). */
export class UndoStack {
  readonly #entries: UndoEntry[] = [];

  /** Remembers a change (nothing when it needs no compensation). */
  push(entry: UndoEntry | undefined): void {
    if (entry) this.#entries.push(entry);
  }

  /** The change Undo would reverse. */
  peek(): UndoEntry | undefined {
    return this.#entries.at(-1);
  }

  /** Takes the change Undo reverses off the stack. */
  pop(): UndoEntry | undefined {
    return this.#entries.pop();
  }
}
