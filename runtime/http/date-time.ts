/**
 * RFC 3339 date-time strings (`format: date-time` in JSON Schema and OpenAPI), read into `Date`s
 * without losing anything: a string a `Date` cannot hold exactly is refused with the reason.
 */

/** `2024-05-01T12:00:00Z`, `2024-05-01t14:00:00.5+02:00`: date, time, optional fraction, a zone. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/** Why a string is not a date-time a `Date` can hold: one sentence, for a 400 issue. */
export const DATE_TIME_EXPECTED = 'must be an RFC 3339 date-time with a time zone, e.g. 2024-05-01T12:00:00Z or 2024-05-01T14:00:00.250+02:00';

/**
 * The `Date` of an RFC 3339 date-time string (RFC 3339 section 5.6: `T` and `Z` in either case,
 * `Z` or a `±hh:mm` offset required), or the reason it has none: not that syntax, not a
 * calendar date or time of day, a leap second (`:60`, which a `Date` cannot hold), or digits
 * below the millisecond that are not zero (a `Date` keeps milliseconds: they would be lost).
 */
export function parseDateTime(text: string): Date | { readonly reason: string } {
  const match = DATE_TIME.exec(text);
  if (!match) return { reason: DATE_TIME_EXPECTED };
  const [, year, month, day, hour, minute, second, fraction = '', sign, offsetHours, offsetMinutes] = match;
  const numbers = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  const [y, mo, d, h, mi, s] = numbers;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return { reason: `${DATE_TIME_EXPECTED}; ${year}-${month}-${day} is not a calendar date` };
  if (s === 60) return { reason: 'is a leap second, which a Date cannot hold; send the second before or after it' };
  if (h > 23 || mi > 59 || s > 59) return { reason: `${DATE_TIME_EXPECTED}; ${hour}:${minute}:${second} is not a time of day` };
  if (sign !== undefined && (Number(offsetHours) > 23 || Number(offsetMinutes) > 59)) return { reason: `${DATE_TIME_EXPECTED}; ${sign}${offsetHours}:${offsetMinutes} is not a time zone offset` };
  if (/[1-9]/.test(fraction.slice(3))) return { reason: 'is more precise than a millisecond, which a Date cannot keep; round it to milliseconds' };
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d); // years below 100 stay as written (Date.UTC would add 1900)
  date.setUTCHours(h, mi, s, Number(fraction.slice(0, 3).padEnd(3, '0')));
  const offset = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes));
  return new Date(date.getTime() - offset * 60_000);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
