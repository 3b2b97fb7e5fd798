/**
 * DynamoDB's limits that a commit can run into, and how the store measures items against
 * them before sending anything.
 */

/** The DynamoDB limits {@link DynamoEventStore} checks before a commit is sent. */
export const DYNAMO_LIMITS = {
  /** Items (actions) in one TransactWriteItems call. */
  transactionItems: 100,
  /** Total size of the items in one TransactWriteItems call, in bytes (4 MB). */
  transactionBytes: 4 * 1024 * 1024,
  /** Size of one item, attribute names included, in bytes (400 KB). */
  itemBytes: 400 * 1024,
  /** Length of a partition key value, in UTF-8 bytes. */
  partitionKeyBytes: 2048,
  /** Length of a sort key value, in UTF-8 bytes. */
  sortKeyBytes: 1024,
} as const;

/** What the store writes: flat items of strings and numbers. */
export type FlatItem = Record<string, string | number>;

/**
 * The size DynamoDB counts for an item, per its documented rules: for each attribute the UTF-8
 * length of its name plus the size of its value (strings: UTF-8 length; numbers: about one byte
 * per two significant digits plus one, counted here as the length of the decimal text plus one,
 * which is never less). The result is never lower than DynamoDB's own count.
 */
export function itemSize(item: FlatItem): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    size += utf8Length(name);
    size += typeof value === 'number' ? String(value).length + 1 : utf8Length(value);
  }
  return size;
}

/** UTF-8 length of a string (a lone surrogate counts as the 3 bytes of U+FFFD). */
export function utf8Length(text: string): number {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) length += 1;
    else if (code < 0x800) length += 2;
    else if (code >= 0xd800 && code < 0xdc00 && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      length += 4;
      i++;
    } else length += 3;
  }
  return length;
}

/** Formats a byte count with its KB/MB reading, e.g. `412345 bytes (402.7 KB)`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${bytes} bytes (${(bytes / 1024 / 1024).toFixed(2)} MB)`;
  if (bytes >= 1024) return `${bytes} bytes (${(bytes / 1024).toFixed(1)} KB)`;
  return `${bytes} bytes`;
}
