/**
 * The board: one column per status, each filled by an index query (`queryByStatus`), so
 * opening the app reads snapshot copies and never replays a history.
 */
import type { Snapshot } from 'event-sourced-rules-engine';
import type { TaskState } from '../generated/task/types.js';
import { h } from './dom.js';

/** The columns, in board order. */
export const COLUMNS = ['todo', 'doing', 'done'] as const;
export type Column = (typeof COLUMNS)[number];

/** What the buttons on a card do. */
export interface CardActions {
  move(task: Snapshot<TaskState>, to: Column): void;
  remove(task: Snapshot<TaskState>): void;
  restore(task: Snapshot<TaskState>): void;
  select(task: Snapshot<TaskState>): void;
}

/** A task card: title (selects the task's event log), tag, and its buttons. */
export function card(task: Snapshot<TaskState>, actions: CardActions): HTMLElement {
  const { title, tag, status } = task.state;
  const buttons: HTMLElement[] = [];
  if (status === 'removed') {
    buttons.push(h('button', { type: 'button', 'data-action': 'restore', onclick: () => actions.restore(task) }, 'Restore'));
  } else {
    const at = COLUMNS.indexOf(status as Column);
    const back = COLUMNS[at - 1];
    const forward = COLUMNS[at + 1];
    if (back) buttons.push(h('button', { type: 'button', 'data-action': 'back', title: `Move to ${back}`, onclick: () => actions.move(task, back) }, '←'));
    if (forward) buttons.push(h('button', { type: 'button', 'data-action': 'forward', title: `Move to ${forward}`, onclick: () => actions.move(task, forward) }, '→'));
    buttons.push(h('button', { type: 'button', 'data-action': 'remove', title: 'Remove', onclick: () => actions.remove(task) }, '✕'));
  }
  return h(
    'li',
    { class: 'card', 'data-task-id': task.aggregateId },
    h('button', { type: 'button', class: 'title', 'data-task-title': title, onclick: () => actions.select(task) }, title),
    ' ',
    h('span', { class: 'tag' }, `#${tag}`),
    h('span', { class: 'buttons' }, ...buttons),
  );
}

/** Replaces the cards of list `list` with `tasks`, or a placeholder line when there are none. */
export function fillList(list: HTMLElement, tasks: readonly Snapshot<TaskState>[], actions: CardActions, empty: string): void {
  list.replaceChildren(...(tasks.length ? tasks.map((task) => card(task, actions)) : [h('li', { class: 'empty' }, empty)]));
}
