/**
 * The task board: a kanban board generated with esre from `schemas/task.schema.ts` (written
 * with `zod/mini`), its state in the browser's IndexedDB (or `localStorage` with
 * `?store=local`). Each task is an aggregate; the columns are index queries; other tabs'
 * commits re-render the board; Undo appends compensating events; outbound events reach a
 * `BroadcastChannel` and the feed through the outbox relay.
 */
import { TaskAggregate } from '../generated/task/aggregate.js';
import { TaskEvents } from '../generated/task/events.js';
import type { TaskInboundEvent, TaskState } from '../generated/task/types.js';
import { COLUMNS, fillList, type CardActions } from './board.js';
import { byId } from './dom.js';
import { startFeed } from './feed.js';
import { wireAddForm } from './form.js';
import { showLog } from './log.js';
import { openStore, storeChoice } from './store.js';
import { UndoStack, compensationOf } from './undo.js';

const choice = storeChoice(new URL(location.href));
const store = openStore(choice);
const tasks = new TaskAggregate({ store });
const undo = new UndoStack();
/** The task whose event log is shown. */
let selected: string | undefined;
/** The tag the "find by tag" query asks for ('' for none). */
let tagQuery = '';

/** Shows an unexpected error in the status line (and the console). */
function showError(error: unknown): void {
  byId('status').textContent = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  console.error(error);
}

/** Reads everything shown from the store and redraws it. */
async function render(): Promise<void> {
  const [todo, doing, done, removed] = await Promise.all([...COLUMNS, 'removed' as const].map((status) => tasks.queryByStatus(status)));
  const columns = { todo: todo!, doing: doing!, done: done! };
  for (const column of COLUMNS) {
    fillList(byId(`column-${column}`), columns[column], actions, 'Nothing here');
    byId(`count-${column}`).textContent = String(columns[column].length);
  }
  fillList(byId('column-removed'), removed!, actions, 'Nothing removed');
  const tagged = tagQuery ? (await tasks.queryByTag(tagQuery)).filter((task) => task.state.status !== 'removed') : [];
  fillList(byId('tag-results'), tagged, actions, tagQuery ? `No task tagged #${tagQuery}` : 'Type a tag to list its tasks');
  const next = undo.peek();
  const undoButton = byId<HTMLButtonElement>('undo');
  undoButton.disabled = next === undefined;
  undoButton.textContent = next?.label ?? 'Undo';
  const shown = [...todo!, ...doing!, ...done!, ...removed!].find((task) => task.aggregateId === selected);
  if (shown) await showLog(tasks, shown, byId('log-heading'), byId('log'));
}

let rendering: Promise<void> | undefined;
let renderAgain = false;
/** Renders now, or once more after the render in progress (changes arrive in bursts). */
function scheduleRender(): Promise<void> {
  if (rendering) {
    renderAgain = true;
    return rendering;
  }
  rendering = (async () => {
    do {
      renderAgain = false;
      await render();
    } while (renderAgain);
  })()
    .catch(showError)
    .finally(() => (rendering = undefined));
  return rendering;
}

/** Runs an action started by a click; its error goes to the status line. */
const act = (work: Promise<void>) => void work.catch(showError);

/** Appends `event` to task `taskId` (whose state was `before`) and remembers how to undo it. */
async function change(taskId: string, event: TaskInboundEvent, before: TaskState): Promise<void> {
  await tasks.append(taskId, event);
  undo.push(compensationOf(taskId, event, before));
  selected = taskId;
  await scheduleRender();
}

const actions: CardActions = {
  move: (task, to) => act(change(task.aggregateId, TaskEvents.taskMoved({ to }), task.state)),
  remove: (task) => act(change(task.aggregateId, TaskEvents.taskRemoved({}), task.state)),
  restore: (task) => act(change(task.aggregateId, TaskEvents.taskRestored({}), task.state)),
  select: (task) => {
    selected = task.aggregateId;
    act(scheduleRender());
  },
};

wireAddForm(async (fields) => {
  const event = TaskEvents.taskAdded(fields);
  // The event's id (unique, time-sortable) names the new task, so columns list tasks oldest first.
  await change(event.id, event, (await tasks.get(event.id)).state);
}, showError);

byId('undo').addEventListener('click', () => {
  const entry = undo.pop();
  if (!entry) return;
  selected = entry.taskId;
  const undone = tasks.append(entry.taskId, entry.compensate()).then(
    () => scheduleRender(),
    (error: unknown) => {
      undo.push(entry); // not undone: it stays the next change to undo
      throw error;
    },
  );
  act(undone);
});

byId<HTMLFormElement>('tag-filter').addEventListener('input', (event) => {
  tagQuery = (event.target as HTMLInputElement).value.trim();
  act(scheduleRender());
});

const storeSelect = byId<HTMLSelectElement>('store-kind');
storeSelect.value = choice.kind;
storeSelect.addEventListener('change', () => {
  const url = new URL(location.href);
  url.searchParams.set('store', storeSelect.value);
  location.assign(url);
});

// Commits of this tab and of other tabs of the origin (storage events, BroadcastChannel).
store.subscribe(() => act(scheduleRender()));
startFeed(store, byId('feed'), `task-board-feed/${choice.kind}/${choice.name}`);

await scheduleRender();
performance.mark('task-board:rendered');
document.body.dataset['ready'] = 'true';
