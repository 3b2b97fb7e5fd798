/**
 * The codec's tags: single-key objects that stand for values JSON cannot hold. Part of the
 * stored format of every store: never change them.
 *
 * - `{"$date": "<ISO 8601>"}`: a `Date` (the only tag written by releases before 0.2)
 * - `{"$number": "-0"}`: negative zero
 * - `{"$object": {...}}`: an object of the user's that would otherwise look like a tag (one own
 *   key, and that key is one of these three); its keys are taken literally
 */
export const TAGS = { date: '$date', number: '$number', object: '$object' } as const;

const TAG_NAMES: ReadonlySet<string> = new Set(Object.values(TAGS));

/** Whether a key is one of {@link TAGS}. */
export function isTagName(key: string): boolean {
  return TAG_NAMES.has(key);
}

/**
 * How deep objects and arrays may nest inside one value (a payload, metadata, a state): the
 * value itself is level 1. Deeper values are refused.
 */
export const MAX_NESTING = 100;
