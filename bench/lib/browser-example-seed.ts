/**
 * Bundled into a page of the task board's origin by the browser-example case: writes a board
 * of `tasks` tasks with `eventsPerTask` events each through the example's generated
 * aggregate, into the store the app opens with `?store=<kind>&db=<name>`.
 */
import { IndexedDBEventStore, LocalStorageEventStore } from 'event-sourced-rules-engine/browser';
import { TaskAggregate } from '../../examples/browser/src/generated/task/aggregate.js';
import { TaskEvents } from '../../examples/browser/src/generated/task/events.js';
import type { TaskInboundEvent } from '../../examples/browser/src/generated/task/types.js';

/** Events per append (one commit each). */
const BATCH = 100;

/**
 * Each task: TASK_ADDED, then moves between todo and doing, then (from 2 events on) TASK_ADDED
 * again with the same title, so every board ends in the same state: every task in todo.
 */
function eventsOf(task: number, count: number): TaskInboundEvent[] {
  const added = () => TaskEvents.taskAdded({ title: `Task ${task}`, tag: `tag-${task % 3}` });
  const events: TaskInboundEvent[] = [added()];
  for (let i = 1; i < count - 1; i++) events.push(TaskEvents.taskMoved({ to: i % 2 === 1 ? 'doing' : 'todo' }));
  if (count > 1) events.push(added());
  return events;
}

async function seedBoard(kind: 'indexeddb' | 'local', name: string, tasks: number, eventsPerTask: number): Promise<number> {
  const store = kind === 'local' ? new LocalStorageEventStore({ namespace: name }) : new IndexedDBEventStore({ name });
  const board = new TaskAggregate({ store: store as never });
  let written = 0;
  try {
    for (let task = 0; task < tasks; task++) {
      const events = eventsOf(task, eventsPerTask);
      for (let start = 0; start < events.length; start += BATCH) {
        const result = await board.append(`task-${String(task).padStart(3, '0')}`, ...events.slice(start, start + BATCH));
        written += result.events.length;
      }
    }
  } finally {
    await store.close();
  }
  return written;
}

(globalThis as unknown as { seedBoard: typeof seedBoard }).seedBoard = seedBoard;
