import type { AggregateRef } from '../types.js';

interface ChannelLike {
  postMessage(message: unknown): void;
  close(): void;
  onmessage: ((event: MessageEvent) => void) | null;
  unref?: () => void;
}

/**
 * Tells other tabs, windows and workers of the origin which aggregate changed, over a
 * `BroadcastChannel`. A feed never hears its own messages. Where there is no
 * `BroadcastChannel`, it does nothing.
 */
export class BroadcastFeed {
  readonly #name: string;
  readonly #onRemote: (ref: AggregateRef) => void;
  #channel: ChannelLike | undefined;
  #receiving = false;

  constructor(name: string, onRemote: (ref: AggregateRef) => void) {
    this.#name = name;
    this.#onRemote = onRemote;
  }

  /** Announces a committed change. */
  publish(ref: AggregateRef): void {
    this.#open()?.postMessage({ ref: { type: ref.type, id: ref.id } });
  }

  /** Starts or stops delivering other contexts' changes to `onRemote`. */
  receive(on: boolean): void {
    this.#receiving = on;
    const channel = on ? this.#open() : this.#channel;
    if (channel) channel.onmessage = on ? (event) => this.#deliver(event) : null;
  }

  close(): void {
    this.#channel?.close();
    this.#channel = undefined;
    this.#receiving = false;
  }

  #deliver(event: MessageEvent): void {
    if (!this.#receiving) return;
    const ref = (event.data as { ref?: { type?: unknown; id?: unknown } } | null)?.ref;
    if (ref && typeof ref.type === 'string' && typeof ref.id === 'string') this.#onRemote({ type: ref.type, id: ref.id });
  }

  #open(): ChannelLike | undefined {
    if (this.#channel) return this.#channel;
    const Channel = (globalThis as { BroadcastChannel?: new (name: string) => ChannelLike }).BroadcastChannel;
    if (typeof Channel !== 'function') return undefined;
    this.#channel = new Channel(this.#name);
    this.#channel.unref?.(); // in Node, an idle channel must not keep the process alive
    return this.#channel;
  }
}
