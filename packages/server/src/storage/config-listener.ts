import type PgModule from 'pg';

/**
 * PostgreSQL's counterpart of SQLite's `PRAGMA data_version` for the caches of apps, API keys, app settings and
 * webhook endpoints (config-cache.ts): a number that changes whenever any process commits a write to those tables.
 *
 * One connection per process LISTENs on `latchkey_config`, where a trigger on each of the tables notifies at commit
 * (migration 0016). Each notification for our schema changes the number, and so does:
 * - every (re)connection: what happened while nobody listened is unknown, so everything cached is forgotten;
 * - the passing of `maxAgeMs` (a safety net: nothing cached is used longer, whatever happens to notifications).
 * While the connection is not up, the number is NaN, which is never equal to itself: nothing is cached at all, and
 * every request reads the database as it did before there was a cache.
 */
export class ConfigListener {
  readonly #pg: typeof PgModule;
  readonly #config: PgModule.ClientConfig;
  readonly #maxAgeMs: number;
  readonly #retryMs: number;
  #client: PgModule.Client | undefined;
  #schema: string | undefined;
  #connected = false;
  #closed = false;
  #version = 0;
  #bumpedAt = Date.now();
  #retry: NodeJS.Timeout | undefined;

  constructor(
    pg: typeof PgModule,
    config: PgModule.ClientConfig,
    options: { maxAgeMs?: number; retryMs?: number } = {},
  ) {
    this.#pg = pg;
    this.#config = config;
    this.#maxAgeMs = options.maxAgeMs ?? 5_000;
    this.#retryMs = options.retryMs ?? 1_000;
    void this.#connect();
  }

  /** The number config-cache.ts compares: NaN while not listening. */
  version(): number {
    if (!this.#connected) return Number.NaN;
    if (Date.now() - this.#bumpedAt >= this.#maxAgeMs) this.#bump();
    return this.#version;
  }

  /** True while notifications can arrive (tests wait for it). */
  get listening(): boolean {
    return this.#connected;
  }

  /** The server process of the listening connection (tests end it to see the cache switch off). */
  get backendPid(): number | undefined {
    const client = this.#client as { processID?: number | null } | undefined;
    return this.#connected ? (client?.processID ?? undefined) : undefined;
  }

  /**
   * Listens now if it is not listening: after the migrations have installed the triggers, so the cache works from
   * the first request instead of after the next retry (the first try, made when the database opened, found none).
   */
  async listenNow(): Promise<void> {
    if (this.#connected || this.#closed) return;
    clearTimeout(this.#retry);
    await this.#connect();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#connected = false;
    clearTimeout(this.#retry);
    await this.#client?.end().catch(() => {});
  }

  #bump(): void {
    this.#version++;
    this.#bumpedAt = Date.now();
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const client = new this.#pg.Client({ ...this.#config, application_name: 'latchkey-config-listener' });
    this.#client = client;
    // A lost connection is reported as 'error' and then 'end'; either stops the cache until a new one listens.
    client.on('error', () => this.#lost(client));
    client.on('end', () => this.#lost(client));
    client.on('notification', (message) => {
      // Installations that share a database each have their schema; another's writes are not ours.
      if (message.channel === 'latchkey_config' && message.payload === this.#schema) this.#bump();
    });
    try {
      await client.connect();
      await client.query('listen latchkey_config');
      const { rows } = await client.query<{ schema: string; notifying: boolean }>(
        `select current_schema() as schema,
           to_regprocedure(quote_ident(current_schema()) || '.latchkey_config_changed()') is not null as notifying`,
      );
      // Before migration 0016 has run, writes notify nobody: no cache until it has (the retry looks again).
      if (!rows[0]?.notifying) throw new Error('the config triggers are not installed yet');
      this.#schema = rows[0].schema;
      if (this.#client !== client || this.#closed) {
        await client.end().catch(() => {});
        return;
      }
      this.#bump();
      this.#connected = true;
    } catch {
      this.#lost(client);
    }
  }

  #lost(client: PgModule.Client): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    this.#connected = false;
    client.end().catch(() => {});
    if (this.#closed) return;
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => void this.#connect(), this.#retryMs);
    this.#retry.unref();
  }
}
