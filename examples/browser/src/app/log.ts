/**
 * The event log of the selected task: its latest events read from the history (only the
 * tail: `afterSequence`), with compensating events marked as undos.
 */
import type { EventRecord, Snapshot } from 'event-sourced-rules-engine';
import type { TaskAggregate } from '../generated/task/aggregate.js';
import type { TaskInbound, TaskState } from '../generated/task/types.js';
import { h } from './dom.js';

/** How many of the latest events the log shows. */
export const LOG_LENGTH = 50;

/** One line of the log. */
function line(event: EventRecord<TaskInbound>): HTMLElement {
  const undoes = event.metadata?.['undoes'];
  const payload = JSON.stringify(event.payload);
  return h(
    'li',
    { 'data-event-type': event.type, 'data-undo': typeof undoes === 'string' },
    h('span', { class: 'sequence' }, `#${event.sequence}`),
    ' ',
    h('strong', {}, event.type),
    payload === '{}' ? '' : ` ${payload}`,
    typeof undoes === 'string' ? h('em', {}, ' (undo)') : '',
    ' ',
    h('time', {}, event.occurredAt.toISOString().slice(11, 19)),
  );
}

/** Shows the latest events of `task` (newest first) in `list`, titled in `heading`. */
export async function showLog(tasks: TaskAggregate, task: Snapshot<TaskState>, heading: HTMLElement, list: HTMLElement): Promise<void> {
  const events: HTMLElement[] = [];
  for await (const event of tasks.history(task.aggregateId, { afterSequence: Math.max(0, task.sequence - LOG_LENGTH) })) {
    events.unshift(line(event));
  }
  heading.textContent = `Events of "${task.state.title}" (${task.sequence} in all)`;
  list.replaceChildren(...events);
}
