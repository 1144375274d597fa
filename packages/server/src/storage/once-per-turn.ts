/**
 * A reading taken at most once per turn of the event loop. SQLite's `PRAGMA data_version` is asked by every cache
 * lookup (apps, API keys, webhook endpoints: three to five times a request), and each asking is a call into SQLite;
 * once per turn is as fresh as a request can tell, since a request that arrives after another process committed
 * arrives in a later turn, and a cache that saw the old number forgets everything at the first turn that sees the
 * new one (config-cache.ts).
 */
export function oncePerTurn(read: () => number): () => number {
  let value: number | undefined;
  const expire = () => {
    value = undefined;
  };
  return () => {
    if (value === undefined) {
      value = read();
      setImmediate(expire);
    }
    return value;
  };
}
