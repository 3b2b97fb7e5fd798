/**
 * What a store does with a corrupt record met while listing across aggregates (pending outbox
 * records, index entries): the record is skipped, so other aggregates keep working, and
 * reported here. Reads of the record's own aggregate throw the {@link CorruptRecordError}.
 */
import { CorruptRecordError } from './errors.js';

/** Receives each corrupt record a store skipped in a list; the error names its key. */
export type CorruptRecordListener = (error: CorruptRecordError) => void;

/** The default listener: one `console.error` line naming the key. */
export const logCorruptRecord: CorruptRecordListener = (error) => {
  console.error(`event-sourced-rules-engine: skipped a corrupt record: ${error.message}`);
};

/** Calls `listener`; a listener that throws does not break the read that found the record. */
export function reportCorruptRecord(listener: CorruptRecordListener, error: CorruptRecordError): void {
  try {
    listener(error);
  } catch {
    // the listener's own failure must not fail the other aggregates' read
  }
}

/**
 * Reads each of `values`; one that turns out corrupt is reported to `listener` and left out,
 * so a list across aggregates still answers for the others. Other errors pass through.
 */
export function readSkippingCorrupt<S, T>(values: Iterable<S>, listener: CorruptRecordListener, read: (value: S) => T): T[] {
  const out: T[] = [];
  for (const value of values) {
    try {
      out.push(read(value));
    } catch (error) {
      if (!(error instanceof CorruptRecordError)) throw error;
      reportCorruptRecord(listener, error);
    }
  }
  return out;
}
