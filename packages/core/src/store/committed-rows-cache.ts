/**
 * Rows of a table as last committed, by a key, for a repository that is the table's only writer
 * (one connection, one process). A DHCP exchange asks the device registry for the same MAC four to
 * six times; each SQLite read outside a transaction is an implicit read transaction (locks on the
 * database and its WAL index), about 18 µs.
 *
 * Correctness rests on three rules, kept by the repository:
 * - `forget(key)` before every write that may change the row of `key` (its old and its new key);
 * - `remember` only reads made outside any transaction (so a row written by a transaction that
 *   later rolls back is never remembered);
 * - inside a transaction, a remembered row is still the one this connection sees, since every key
 *   the transaction wrote was forgotten and is read from the database again.
 * Absent rows are remembered too (`null`): a new client is looked up several times before its
 * registration. At most `capacity` keys (a flood of made-up MACs costs no more): the oldest goes first.
 */
export class CommittedRowsCache<K, R> {
  private readonly rows = new Map<K, R | null>();

  constructor(private readonly capacity = 4096) {}

  /** The remembered row (null: known absent), or undefined when not remembered. */
  get(key: K): R | null | undefined {
    return this.rows.get(key);
  }

  remember(key: K, row: R | null): void {
    if (this.rows.size >= this.capacity && !this.rows.has(key)) {
      const oldest = this.rows.keys().next();
      if (!oldest.done) this.rows.delete(oldest.value);
    }
    this.rows.set(key, row);
  }

  forget(key: K | null | undefined): void {
    if (key !== null && key !== undefined) this.rows.delete(key);
  }

  get size(): number {
    return this.rows.size;
  }
}
