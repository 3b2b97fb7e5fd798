import { InvalidOptionError } from './errors.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Milliseconds a 10-character time part holds: 32^10 = 2^50 (until the year 37648). */
const TIME_SPAN = 2 ** 50;
/** Added to a time before 1970: 2^53 > 8.64e15 keeps it positive and exact in a double. */
const NEGATIVE_OFFSET = 2 ** 53;
/** The range of `Date`: ±8.64e15 ms around the epoch. */
const DATE_LIMIT = 8.64e15;

interface Slot {
  time: number;
  random: number[];
}

/** Ids made for "now": their time never goes back, even when the system clock does. */
const clock: Slot = { time: Number.NEGATIVE_INFINITY, random: [] };
/** Ids made for a given time (e.g. an event's `occurredAt`). */
const given: Slot = { time: Number.NaN, random: [] };

function randomDigits(count: number): number[] {
  const bytes = new Uint8Array(count);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte & 31);
}

/** The random part for `time` in `slot`: the last one plus one within the same millisecond. */
function nextRandom(slot: Slot, time: number): number[] {
  let random: number[];
  if (slot.time === time) {
    random = slot.random.slice();
    let i = random.length - 1;
    while (i >= 0 && random[i] === 31) random[i--] = 0;
    if (i < 0) throw new Error('id space for this millisecond is exhausted');
    random[i]!++;
  } else {
    random = randomDigits(16);
  }
  slot.time = time;
  slot.random = random;
  return random;
}

function base32(value: number, digits: number): string {
  let text = '';
  for (let i = 0; i < digits; i++) {
    text = ALPHABET[value % 32] + text;
    value = Math.floor(value / 32);
  }
  return text;
}

/**
 * The time part of an id: 10 characters for 1970 to 37648 (the ULID layout); before 1970 `-`
 * and 11 characters of `time + 2^53`; from 37648 on `~` and 11 characters. `-` sorts before
 * every digit and `~` after every letter, so ids sort by time over the whole range of `Date`.
 */
function timePart(time: number): string {
  if (time >= 0 && time < TIME_SPAN) return base32(time, 10);
  if (time < 0) return '-' + base32(time + NEGATIVE_OFFSET, 11);
  return '~' + base32(time, 11);
}

/**
 * A new unique id that sorts by time: for times from 1970 to 37648, 26 characters in the ULID
 * layout (10 characters of milliseconds, 16 of randomness, Crockford base32); for earlier or
 * later times (any valid `Date`), 28 characters that still sort in time order (see
 * `docs/codec.md`).
 *
 * Without `time`, the id is for now, and ids made in one process sort in the order they were
 * made, also within one millisecond and when the system clock steps back. With `time` (a
 * whole number of milliseconds since the epoch, as `Date.getTime()` gives), the id carries
 * that time; ids made for one millisecond in a row still sort in the order they were made.
 */
export function newId(time?: number): string {
  if (time === undefined) {
    const now = Math.max(Date.now(), clock.time);
    return timePart(now) + nextRandom(clock, now).map((digit) => ALPHABET[digit]).join('');
  }
  if (typeof time !== 'number' || !Number.isInteger(time) || Math.abs(time) > DATE_LIMIT) {
    throw new InvalidOptionError('newId time', time, 'a whole number of milliseconds within the range of Date');
  }
  const slot = time === clock.time ? clock : given;
  return timePart(time) + nextRandom(slot, time).map((digit) => ALPHABET[digit]).join('');
}
