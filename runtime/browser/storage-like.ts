/**
 * The part of the Web Storage API a {@link WebStorageEventStore} uses; `localStorage`,
 * `sessionStorage` and {@link MemoryStorage} all fit.
 */
export interface StorageLike {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Options of {@link MemoryStorage}. */
export interface MemoryStorageOptions {
  /**
   * Largest total size in UTF-16 code units (keys plus values, as browsers count it); a
   * `setItem` that would exceed it throws a `QuotaExceededError` like a browser does.
   * Default: no limit.
   */
  readonly quota?: number;
}

/**
 * A Web Storage object in memory: for tests, server-side rendering and workers without
 * `localStorage`. With a `quota` it fails writes the way a full browser storage does.
 */
export class MemoryStorage implements StorageLike {
  readonly #items = new Map<string, string>();
  readonly #quota: number;
  #keys: string[] | undefined;
  #used = 0;

  constructor(options: MemoryStorageOptions = {}) {
    this.#quota = options.quota ?? Number.POSITIVE_INFINITY;
  }

  get length(): number {
    return this.#items.size;
  }

  /** Code units in use: the sum of key and value lengths. */
  get used(): number {
    return this.#used;
  }

  key(index: number): string | null {
    this.#keys ??= [...this.#items.keys()];
    return this.#keys[index] ?? null;
  }

  getItem(key: string): string | null {
    return this.#items.get(String(key)) ?? null;
  }

  setItem(key: string, value: string): void {
    key = String(key);
    value = String(value);
    const previous = this.#items.get(key);
    const used = this.#used - (previous === undefined ? 0 : key.length + previous.length) + key.length + value.length;
    if (used > this.#quota) {
      throw new DOMException(`Setting the value of ${JSON.stringify(key)} exceeded the quota.`, 'QuotaExceededError');
    }
    if (previous === undefined) this.#keys = undefined;
    this.#items.set(key, value);
    this.#used = used;
  }

  removeItem(key: string): void {
    key = String(key);
    const previous = this.#items.get(key);
    if (previous === undefined) return;
    this.#items.delete(key);
    this.#keys = undefined;
    this.#used -= key.length + previous.length;
  }

  /** Removes every item. */
  clear(): void {
    this.#items.clear();
    this.#keys = undefined;
    this.#used = 0;
  }
}
