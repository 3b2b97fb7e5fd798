/**
 * Plans the one TransactWriteItems call of a commit, checks it against DynamoDB's limits, and
 * turns DynamoDB's errors back into this library's.
 */
import { idempotencyRecordsOf } from '../commit.js';
import { ConcurrencyError, StoreError } from '../errors.js';
import { DynamoLimitError } from './errors.js';
import type { Commit } from '../types.js';
import {
  aggregateName,
  describeIdempotency,
  describeIndex,
  describeEvent,
  describeOutbox,
  eventItem,
  idempotencyItem,
  indexItem,
  indexKey,
  listingItem,
  outboxItem,
  snapshotItem,
} from './items.js';
import { DYNAMO_TABLE_LAYOUT as L } from './layout.js';
import { DYNAMO_LIMITS, type FlatItem, formatBytes, itemSize, utf8Length } from './limits.js';

/** The role of one action in a commit's transaction. */
export type ActionRole = 'snapshot' | 'event' | 'outbox' | 'indexPut' | 'indexDelete' | 'idempotency' | 'listing';

/** One action of the transaction, with what it is for messages. */
export interface PlannedAction {
  readonly role: ActionRole;
  /** e.g. `event 01J… (DEPOSITED, sequence 3) of ACCOUNT "a-1"` */
  readonly label: string;
  /** The item put, or the key deleted. */
  readonly item: FlatItem;
  /** {@link itemSize} of `item`. */
  readonly size: number;
  /** The action in the DocumentClient's TransactWriteItems form. */
  readonly action: TransactAction;
}

/** A TransactWriteItems action in the DocumentClient's (unmarshalled) form. */
export type TransactAction =
  | {
      Put: {
        TableName: string;
        Item: FlatItem;
        ConditionExpression?: string;
        ExpressionAttributeNames?: Record<string, string>;
        ExpressionAttributeValues?: Record<string, number>;
        ReturnValuesOnConditionCheckFailure?: 'ALL_OLD';
      };
    }
  | { Delete: { TableName: string; Key: FlatItem } };

/** Settings of a planned commit. */
export interface PlanOptions {
  readonly tableName: string;
  /** Id of the commit, written to every item. */
  readonly commitId: string;
  /** TTL of outbox records, epoch seconds; undefined for none. */
  readonly outboxExpiresAt: number | undefined;
  /** TTL of the idempotency record, epoch seconds; absent or undefined for none. */
  readonly idempotencyExpiresAt?: number | undefined;
}

/**
 * The actions of a commit, in this order: the conditional snapshot put, the listing item put
 * (first commit only), event puts, outbox puts, index deletes, index puts, and the conditional
 * idempotency puts. Throws
 * {@link UnstorableValueError} for a value that cannot be stored and {@link DynamoLimitError}
 * when the transaction would exceed a DynamoDB limit; in both cases before anything is sent.
 */
export function planCommit(commit: Commit<unknown, unknown, unknown>, options: PlanOptions): PlannedAction[] {
  checkShape(commit);
  const { tableName, commitId } = options;
  const { type, id } = commit.ref;
  const actions: PlannedAction[] = [];
  const put = (role: ActionRole, label: string, item: FlatItem, condition?: PutCondition) =>
    actions.push({ role, label, item, size: itemSize(item), action: { Put: { TableName: tableName, Item: item, ...condition } } });

  put(
    'snapshot',
    `the snapshot of ${aggregateName(type, id)} (sequence ${commit.snapshot.sequence})`,
    snapshotItem(commit.snapshot, commitId),
    snapshotCondition(commit.expectedSequence),
  );
  if (commit.expectedSequence === 0) {
    put('listing', `the listing item of ${aggregateName(type, id)}`, listingItem(type, id, commitId));
  }
  for (const event of commit.events) put('event', describeEvent(event), eventItem(event, commitId));
  for (const record of commit.outbox) put('outbox', describeOutbox(record), outboxItem(record, commitId, options.outboxExpiresAt));

  const puts = new Map(commit.indexPuts.map((entry) => [JSON.stringify([entry.index, entry.key]), entry]));
  const deletes = new Map(commit.indexDeletes.map((entry) => [JSON.stringify([entry.index, entry.key]), entry]));
  for (const [name, entry] of deletes) {
    if (puts.has(name)) continue; // the put overwrites it anyway; one item may appear once per transaction
    const key = indexKey(type, id, entry.index, entry.key);
    actions.push({
      role: 'indexDelete',
      label: `the deletion of ${describeIndex(type, id, entry.index, entry.key)}`,
      item: key,
      size: itemSize(key),
      action: { Delete: { TableName: tableName, Key: key } },
    });
  }
  for (const entry of puts.values()) put('indexPut', describeIndex(type, id, entry.index, entry.key), indexItem(entry, commitId));

  for (const record of idempotencyRecordsOf(commit)) {
    put('idempotency', describeIdempotency(type, id, record.key), idempotencyItem(record, commitId, options.idempotencyExpiresAt), {
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': L.partitionKey },
    });
  }
  checkLimits(commit, actions);
  return actions;
}

type PutCondition = Pick<
  Extract<TransactAction, { Put: unknown }>['Put'],
  'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues' | 'ReturnValuesOnConditionCheckFailure'
>;

/** The snapshot is written only over the expected sequence (0: over nothing). */
function snapshotCondition(expectedSequence: number): PutCondition {
  return {
    ConditionExpression: expectedSequence === 0 ? 'attribute_not_exists(#pk) OR #seq = :expected' : '#seq = :expected',
    ExpressionAttributeNames: expectedSequence === 0 ? { '#pk': L.partitionKey, '#seq': L.sequenceAttribute } : { '#seq': L.sequenceAttribute },
    ExpressionAttributeValues: { ':expected': expectedSequence },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/** Rejects commits that do not hang together, before anything is stored. */
function checkShape(commit: Commit<unknown, unknown, unknown>): void {
  const { type, id } = commit.ref ?? {};
  if (typeof type !== 'string' || type === '' || typeof id !== 'string' || id === '') {
    throw new TypeError('DynamoEventStore.commit: ref needs a non-empty type and id');
  }
  const who = aggregateName(type, id);
  const expected = commit.expectedSequence;
  if (!Number.isSafeInteger(expected) || expected < 0) {
    throw new TypeError(`DynamoEventStore.commit(${who}): expectedSequence must be a non-negative integer, got ${expected}`);
  }
  commit.events.forEach((event, offset) => {
    if (event.aggregateType !== type || event.aggregateId !== id || event.sequence !== expected + offset + 1) {
      throw new TypeError(`DynamoEventStore.commit(${who}): ${describeEvent(event)} should be sequence ${expected + offset + 1} of ${who}`);
    }
  });
  const { snapshot } = commit;
  if (snapshot.aggregateType !== type || snapshot.aggregateId !== id || !Number.isSafeInteger(snapshot.sequence)) {
    throw new TypeError(
      `DynamoEventStore.commit(${who}): the snapshot belongs to ${aggregateName(snapshot.aggregateType, snapshot.aggregateId)} ` +
        `(sequence ${snapshot.sequence})`,
    );
  }
  for (const record of commit.outbox) {
    if (record.aggregateType !== type || record.aggregateId !== id) {
      throw new TypeError(`DynamoEventStore.commit(${who}): ${describeOutbox(record)} belongs to another aggregate`);
    }
  }
  const keys = new Set<string>();
  for (const record of idempotencyRecordsOf(commit)) {
    if (record.aggregateType !== type || record.aggregateId !== id) {
      throw new TypeError(`DynamoEventStore.commit(${who}): the idempotency record ${JSON.stringify(record.key)} belongs to another aggregate`);
    }
    // One item may appear once per transaction: a repeated key is a used key.
    if (keys.has(record.key)) {
      throw new ConcurrencyError(type, id, expected, undefined, { reason: `idempotency key ${JSON.stringify(record.key)} already used` });
    }
    keys.add(record.key);
  }
}

function checkLimits(commit: Commit<unknown, unknown, unknown>, actions: readonly PlannedAction[]): void {
  const who = aggregateName(commit.ref.type, commit.ref.id);
  for (const { label, item } of actions) {
    const pk = utf8Length(String(item[L.partitionKey]));
    if (pk > DYNAMO_LIMITS.partitionKeyBytes) {
      throw new DynamoLimitError(
        `The partition key of ${label} is ${pk} bytes; DynamoDB allows at most ${DYNAMO_LIMITS.partitionKeyBytes}. Nothing was written.`,
        'partitionKeyBytes',
        pk,
        DYNAMO_LIMITS.partitionKeyBytes,
        label,
      );
    }
    const sk = utf8Length(String(item[L.sortKey]));
    if (sk > DYNAMO_LIMITS.sortKeyBytes) {
      throw new DynamoLimitError(
        `The sort key of ${label} is ${sk} bytes; DynamoDB allows at most ${DYNAMO_LIMITS.sortKeyBytes}. Nothing was written.`,
        'sortKeyBytes',
        sk,
        DYNAMO_LIMITS.sortKeyBytes,
        label,
      );
    }
  }
  if (actions.length > DYNAMO_LIMITS.transactionItems) {
    const counts = new Map<ActionRole, number>();
    for (const { role } of actions) counts.set(role, (counts.get(role) ?? 0) + 1);
    const parts = [...counts].map(([role, count]) => `${count} ${ROLE_NAMES[role]}`).join(', ');
    throw new DynamoLimitError(
      `The commit of ${who} needs ${actions.length} items in one transaction (${parts}); ` +
        `a DynamoDB transaction takes at most ${DYNAMO_LIMITS.transactionItems}. Nothing was written.`,
      'transactionItems',
      actions.length,
      DYNAMO_LIMITS.transactionItems,
    );
  }
  let total = 0;
  for (const { label, size } of actions) {
    total += size;
    if (size > DYNAMO_LIMITS.itemBytes) {
      throw new DynamoLimitError(
        `${capitalize(label)} is ${formatBytes(size)}; DynamoDB allows at most ${formatBytes(DYNAMO_LIMITS.itemBytes)} ` +
          `per item, attribute names included. Nothing was written.`,
        'itemBytes',
        size,
        DYNAMO_LIMITS.itemBytes,
        label,
      );
    }
  }
  if (total > DYNAMO_LIMITS.transactionBytes) {
    throw new DynamoLimitError(
      `The commit of ${who} is ${formatBytes(total)} in ${actions.length} items; a DynamoDB transaction takes at most ` +
        `${formatBytes(DYNAMO_LIMITS.transactionBytes)}. Nothing was written.`,
      'transactionBytes',
      total,
      DYNAMO_LIMITS.transactionBytes,
    );
  }
}

const ROLE_NAMES: Record<ActionRole, string> = {
  snapshot: 'snapshot',
  event: 'event(s)',
  outbox: 'outbox record(s)',
  indexPut: 'index put(s)',
  indexDelete: 'index delete(s)',
  idempotency: 'idempotency record(s)',
  listing: 'listing item',
};

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** One entry of `TransactionCanceledException.CancellationReasons`. */
interface CancellationReason {
  readonly Code?: string;
  readonly Message?: string;
  readonly Item?: Record<string, unknown>;
}

/**
 * The error a failed TransactWriteItems call becomes: {@link ConcurrencyError} when the
 * snapshot's or the idempotency record's condition failed, or another transaction was writing
 * the same items; otherwise a {@link StoreError} naming the items that failed and why.
 */
export function commitError(error: unknown, commit: Commit<unknown, unknown, unknown>, actions: readonly PlannedAction[], tableName: string): Error {
  const { type, id } = commit.ref;
  const who = aggregateName(type, id);
  const name = (error as { name?: string } | null)?.name;
  const message = (error as { message?: string } | null)?.message ?? String(error);
  if (name === 'TransactionCanceledException') {
    const reasons: CancellationReason[] = (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
    const failed = reasons
      .map((reason, index) => ({ reason, action: actions[index] }))
      .filter(({ reason }) => reason.Code !== undefined && reason.Code !== 'None');
    const snapshot = failed.find(({ action }) => action?.role === 'snapshot');
    if (snapshot?.reason.Code === 'ConditionalCheckFailed') {
      return new ConcurrencyError(type, id, commit.expectedSequence, storedSequence(snapshot.reason.Item), { cause: error });
    }
    const idempotency = failed.find(({ action }) => action?.role === 'idempotency');
    if (idempotency?.reason.Code === 'ConditionalCheckFailed') {
      const records = idempotencyRecordsOf(commit);
      const position = actions.filter((action) => action.role === 'idempotency').indexOf(idempotency.action!);
      return new ConcurrencyError(type, id, commit.expectedSequence, undefined, {
        cause: error,
        reason: `idempotency key ${JSON.stringify(records[position]?.key)} already used`,
      });
    }
    const conflict = failed.find(({ reason }) => reason.Code === 'TransactionConflict');
    if (conflict) {
      return new ConcurrencyError(type, id, commit.expectedSequence, undefined, {
        cause: error,
        reason: `another transaction was writing ${conflict.action?.label ?? 'one of its items'} at the same time`,
      });
    }
    const details = failed.length
      ? failed
          .map(({ reason, action }) => `${action ? action.label : `item ${reasons.indexOf(reason)}`}: ${reason.Code}${reason.Message ? ` (${reason.Message})` : ''}`)
          .join('; ')
      : message;
    return new StoreError(`DynamoDB cancelled the commit of ${who} (nothing was written): ${details}`, { cause: error });
  }
  if (name === 'ResourceNotFoundException') {
    return new StoreError(`DynamoEventStore: table ${JSON.stringify(tableName)} not found (${message})`, { cause: error });
  }
  return new StoreError(`DynamoEventStore: the commit of ${who} failed: ${name ? `${name}: ` : ''}${message}`, { cause: error });
}

/** The `_seq` of the old snapshot item returned with a failed condition (raw or unmarshalled). */
function storedSequence(item: Record<string, unknown> | undefined): number | undefined {
  const value = item?.[L.sequenceAttribute];
  if (typeof value === 'number') return value;
  if (value && typeof value === 'object' && typeof (value as { N?: unknown }).N === 'string') return Number((value as { N: string }).N);
  return undefined;
}
