/**
 * The `next` cursor of a history page: opaque to callers (base64url), it holds the sequence the
 * next page starts after. `after` takes either it or a plain sequence number.
 */
import { HttpProblem, PROBLEM_TYPES } from './problem.js';

const PREFIX = 'h1:';

/** The cursor of the page after the event with this sequence. */
export function historyCursor(afterSequence: number): string {
  return btoa(`${PREFIX}${afterSequence}`).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The sequence an `after` parameter means: a sequence number (`0`, `12`) or a cursor from `next`. */
export function afterSequence(after: string | undefined): number {
  if (after === undefined || after === '') return 0;
  if (/^\d+$/.test(after)) {
    const sequence = Number(after);
    if (Number.isSafeInteger(sequence)) return sequence;
  } else {
    let text: string | undefined;
    try {
      text = atob(after.replace(/-/g, '+').replace(/_/g, '/'));
    } catch {
      text = undefined;
    }
    if (text?.startsWith(PREFIX) && /^\d+$/.test(text.slice(PREFIX.length))) {
      const sequence = Number(text.slice(PREFIX.length));
      if (Number.isSafeInteger(sequence)) return sequence;
    }
  }
  throw new HttpProblem(PROBLEM_TYPES.badRequest, `after: ${JSON.stringify(after)} is neither a sequence number nor the "next" cursor of a history page`);
}
