/**
 * Apps and API keys, read by nearly every request and changed rarely, kept in memory between changes. Reading both
 * was a fifth of the CPU time of creating a link.
 *
 * A cached row is used only while nothing can have changed it:
 * - this process's own writes to apps or keys go through `changing`, which forgets everything before and after the
 *   write, and a read that overlapped a write is not kept;
 * - other processes' writes are seen through `externalVersion`, a number that changes whenever another process may
 *   have written (SQLite's `PRAGMA data_version`; on PostgreSQL the LISTEN/NOTIFY of config-listener.ts, which also
 *   changes it every few seconds and is NaN, so nothing is kept, while it is not listening); any change forgets
 *   everything.
 */
export class ConfigCache<K, V> {
  readonly #externalVersion: () => number;
  readonly #rows = new Map<K, V>();
  readonly #limit: number;
  #generation = 0;
  #seenVersion = Number.NaN;

  constructor(externalVersion: () => number, limit = 10_000) {
    this.#externalVersion = externalVersion;
    this.#limit = limit;
  }

  /** The cached row, or `read()`'s answer (kept when it is a row and nothing changed meanwhile). */
  async get(key: K, read: () => Promise<V | undefined>): Promise<V | undefined> {
    const stamp = this.#stamp();
    const cached = this.#rows.get(key);
    if (cached !== undefined) return cached;
    const row = await read();
    // Unknown keys are not kept: made-up API keys must not fill the memory.
    if (row !== undefined && this.#stamp() === stamp) {
      if (this.#rows.size >= this.#limit) this.#rows.clear();
      this.#rows.set(key, Object.freeze(row));
    }
    return row;
  }

  /** Runs a write to the cached tables; nothing read before it or during it is used afterwards. */
  async changing<T>(write: () => Promise<T>): Promise<T> {
    this.#forget();
    try {
      return await write();
    } finally {
      this.#forget();
    }
  }

  /** The generation of what is cached, forgetting everything first when another process has written. */
  #stamp(): number {
    const version = this.#externalVersion();
    if (version !== this.#seenVersion) {
      this.#seenVersion = version;
      this.#forget();
    }
    return this.#generation;
  }

  #forget(): void {
    this.#generation++;
    this.#rows.clear();
  }
}
