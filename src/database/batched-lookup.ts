import DataLoader from 'dataloader';

/** The most keys one batched query asks for. */
const MAX_BATCH = 128;

/**
 * The keys padded (with the last one again) to a power of two, so a batched query has eight shapes, not a hundred:
 * each is a prepared statement on every connection, and the server caps their number.
 */
function padded<K>(keys: K[]): K[] {
  let size = 1;
  while (size < keys.length) {
    size *= 2;
  }
  return [...keys, ...Array<K>(size - keys.length).fill(keys[keys.length - 1])];
}

/** `?, ?, …` for an IN list of `count` values. */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

/**
 * Lookups by key that arrive together (within one turn of the event loop) share one query: `find` gets the distinct
 * keys and returns what it found by key. Each lookup still reads the database after it was asked for, since the
 * batch is sent once the turn is over: nothing committed before a request came in can be missed by its lookup.
 * Nothing is cached across batches; lookups of the same key in one batch share the value, so treat it as read-only.
 */
export function batchedLookup<K, V>(find: (keys: K[]) => Promise<Map<K, V>>): (key: K) => Promise<V | undefined> {
  const loader = new DataLoader<K, V | undefined>(
    async (keys) => {
      const found = await find(padded([...new Set(keys)]));
      return keys.map((key) => found.get(key));
    },
    { cache: false, maxBatchSize: MAX_BATCH, batchScheduleFn: (dispatch) => setImmediate(dispatch) },
  );
  return (key) => loader.load(key);
}
