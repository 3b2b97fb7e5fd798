/**
 * The write queue of one aggregate inside one {@link Aggregate} object: appends wait here and
 * are taken together (group commit); other writes (appendTo, recalculate) run alone, in turn.
 */
import type { AppendResult, DomainEvent } from './types.js';

/** An append waiting in a lane: its checked events, its key, and how to answer its caller. */
export interface QueuedAppend<TState, TInbound, TOutbound> {
  readonly kind: 'append';
  readonly events: readonly DomainEvent<string, TInbound>[];
  readonly idempotencyKey: string | undefined;
  /** Commits of groups holding this append that lost a race so far. */
  conflicts: number;
  readonly resolve: (result: AppendResult<TState, TInbound, TOutbound>) => void;
  readonly reject: (error: unknown) => void;
}

/** A write that runs alone, in its turn (its own promise reports how it went). */
export interface QueuedTask {
  readonly kind: 'task';
  readonly run: () => Promise<void>;
}

export type QueuedWrite<TState, TInbound, TOutbound> = QueuedAppend<TState, TInbound, TOutbound> | QueuedTask;

/** The queue of one aggregate. One drain loop runs while it holds writes. */
export interface AppendLane<TState, TInbound, TOutbound> {
  readonly waiting: QueuedWrite<TState, TInbound, TOutbound>[];
  /** At most this many appends in the next group (lowered after a commit the store refused). */
  groupCap: number;
  /** Lost races in a row, for the backoff. */
  conflicts: number;
}

/** Removes `done` appends from the lane, wherever they are. */
export function removeFromLane<TState, TInbound, TOutbound>(
  lane: AppendLane<TState, TInbound, TOutbound>,
  done: ReadonlySet<QueuedWrite<TState, TInbound, TOutbound>>,
): void {
  if (done.size === 0) return;
  let kept = 0;
  for (const write of lane.waiting) if (!done.has(write)) lane.waiting[kept++] = write;
  lane.waiting.length = kept;
}

/** The appends at the head of the lane, up to the first task, at most `cap`. */
export function leadingAppends<TState, TInbound, TOutbound>(
  lane: AppendLane<TState, TInbound, TOutbound>,
  cap: number,
): QueuedAppend<TState, TInbound, TOutbound>[] {
  const group: QueuedAppend<TState, TInbound, TOutbound>[] = [];
  for (const write of lane.waiting) {
    if (write.kind !== 'append' || group.length >= cap) break;
    group.push(write);
  }
  return group;
}
