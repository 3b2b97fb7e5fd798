/** Checks of option objects: a value outside its range is an {@link InvalidOptionError}, never rounded or ignored. */
import { InvalidOptionError } from './errors.js';
import type { HistoryOptions } from './types.js';

/** `value` when it is a positive safe integer (or undefined); otherwise throws. */
export function positiveInteger(option: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidOptionError(option, value, 'a positive integer');
  }
  return value;
}

/** `value` when it is a non-negative safe integer (or undefined); otherwise throws. */
export function nonNegativeInteger(option: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidOptionError(option, value, 'a non-negative integer');
  }
  return value === 0 ? 0 : value;
}

/** `value` when it is a finite number ≥ 0 (or undefined); otherwise throws. */
export function nonNegativeNumber(option: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidOptionError(option, value, 'a finite number ≥ 0');
  }
  return value;
}

/** Throws unless `options` is undefined or an object. */
export function optionObject(option: string, options: unknown): void {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new InvalidOptionError(option, options, 'an object');
  }
}

/** Checks {@link HistoryOptions}: `pageSize` a positive integer, `afterSequence` a non-negative integer. */
export function checkHistoryOptions(options: HistoryOptions | undefined): { afterSequence: number; pageSize: number | undefined } {
  optionObject('history options', options);
  return {
    afterSequence: nonNegativeInteger('history.afterSequence', options?.afterSequence) ?? 0,
    pageSize: positiveInteger('history.pageSize', options?.pageSize),
  };
}

/** Checks the `limit` of `pendingOutbox` (default 100). */
export function checkOutboxLimit(options: { limit?: number } | undefined): number {
  optionObject('pendingOutbox options', options);
  return nonNegativeInteger('pendingOutbox.limit', options?.limit) ?? 100;
}
