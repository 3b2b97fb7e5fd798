/** Case conversions and identifier checks for the names the generator derives from schemas. */

/** Splits `ACCOUNT_OPENED`, `accountOpened`, `account-opened` or `AccountOpened` into lower-case words. */
export function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word.length > 0)
    .map((word) => word.toLowerCase());
}

/** `ACCOUNT_OPENED` → `AccountOpened`. */
export function pascalCase(name: string): string {
  return words(name)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');
}

/** `ACCOUNT_OPENED` → `accountOpened`. */
export function camelCase(name: string): string {
  const pascal = pascalCase(name);
  return pascal.length === 0 ? pascal : pascal[0]!.toLowerCase() + pascal.slice(1);
}

/** `bankAccount` → `bank-account`. */
export function kebabCase(name: string): string {
  return words(name).join('-');
}

/** `bankAccount` → `BANK_ACCOUNT`. */
export function screamingSnakeCase(name: string): string {
  return words(name).join('_').toUpperCase();
}

/** Names of aggregates: a letter, then letters and digits (`account`, `bankAccount`). */
export const AGGREGATE_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/** Event type names: a letter, then letters, digits and underscores (`ACCOUNT_OPENED`). */
export const EVENT_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Index names: a letter, then letters, digits and underscores (`byEmail`). */
export const INDEX_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Stored aggregate types: a letter, then letters, digits, `_`, `-`, `.` (`ACCOUNT`). */
export const AGGREGATE_TYPE = /^[A-Za-z][A-Za-z0-9_.-]*$/;

const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'implements interface let package private protected public static yield await arguments eval'
  ).split(' '),
);

/** Whether `name` is a JavaScript reserved word (not usable as a binding). */
export function isReservedWord(name: string): boolean {
  return RESERVED.has(name);
}

/** A single-quoted TypeScript string literal. */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}
