/**
 * The outbox, published: an `OutboxRelay` polls the store's pending outbox records (every
 * second, its default) and hands them to a publisher that posts them on a `BroadcastChannel`
 * and shows them in this page's feed. Other tabs of the origin hear the channel and show them
 * too. One tab at a time relays: the one holding a Web Lock, released when it closes, so
 * another tab takes over. (Two relays on one Web Storage namespace could race: marking a
 * record published in one tab rewrites a key another tab's commit may be writing.) Delivery
 * is at-least-once, so the feed keeps each event id once.
 */
import type { OutboxRecord } from 'event-sourced-rules-engine';
import { OutboxRelay, type OutboxPublisher, type PublishResult } from 'event-sourced-rules-engine/outbox';
import type { TaskOutbound } from '../generated/task/types.js';
import { h } from './dom.js';
import type { BoardStore } from './store.js';

/** An outbound event as it travels on the channel. */
export interface FeedMessage {
  readonly id: string;
  readonly type: string;
  readonly taskId: string;
  readonly payload: TaskOutbound;
  readonly occurredAt: string;
}

/** Posts outbox records to a `BroadcastChannel` and hands each to `onPublished`. */
export class BroadcastChannelPublisher implements OutboxPublisher<TaskOutbound> {
  constructor(
    readonly channel: BroadcastChannel,
    readonly onPublished: (message: FeedMessage) => void,
  ) {}

  /** Posts every record (a channel accepts them all) and reports them published. */
  async publish(records: readonly OutboxRecord<TaskOutbound>[]): Promise<PublishResult<TaskOutbound>> {
    for (const record of records) {
      const message: FeedMessage = {
        id: record.id,
        type: record.type,
        taskId: record.aggregateId,
        payload: record.payload,
        occurredAt: record.occurredAt.toISOString(),
      };
      this.channel.postMessage(message);
      this.onPublished(message);
    }
    return { published: records, failed: [] };
  }
}

/** The on-page feed of outbound events (newest first, each event id once). */
export class FeedView {
  readonly #list: HTMLElement;
  readonly #seen = new Set<string>();

  constructor(list: HTMLElement) {
    this.#list = list;
  }

  /** Adds an outbound event at the top, unless this event id is already shown. */
  show(message: FeedMessage): void {
    if (this.#seen.has(message.id)) return;
    this.#seen.add(message.id);
    const text = `${message.type}: ${message.payload.title} (#${message.payload.tag})`;
    this.#list.prepend(h('li', { 'data-feed-event': message.type }, h('time', {}, message.occurredAt.slice(11, 19)), ' ', text));
    while (this.#list.children.length > 20) this.#list.lastElementChild?.remove();
  }
}

/**
 * Shows the outbound events heard on channel `name` in `list`, and relays `store`'s outbox to
 * that channel while this tab holds the relay lock (at once when no other tab does).
 */
export function startFeed(store: BoardStore, list: HTMLElement, name: string): void {
  const view = new FeedView(list);
  const channel = new BroadcastChannel(name);
  channel.onmessage = (event: MessageEvent<FeedMessage>) => view.show(event.data);
  const relay = new OutboxRelay<TaskOutbound>({
    store,
    publisher: new BroadcastChannelPublisher(channel, (message) => view.show(message)),
  });
  const relayUntilClosed = () => {
    relay.start();
    // Held until the tab goes away: the browser then releases the lock to the next tab.
    return new Promise<never>(() => {});
  };
  if (navigator.locks) void navigator.locks.request(`${name}/relay`, relayUntilClosed);
  else void relayUntilClosed();
}
