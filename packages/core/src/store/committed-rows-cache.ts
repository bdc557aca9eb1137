/**
 * Rows of a table as last committed, by a key, for a repository that is the table's only writer
 * (one connection, one process). A DHCP exchange asks the device registry for the same MAC four to
 * six times; each SQLite read outside a transaction is an implicit read transaction (locks on the
 * database and its WAL index), about 18 µs.
 *
 * Correctness rests on three rules, kept by the repository:
 * - `forget(key)` before every write that may change the row of `key` (its old and its new key);
 * - `remember` and `fill` only with reads made outside any transaction (so a row written by a
 *   transaction that later rolls back is never remembered);
 * - inside a transaction, a remembered row is still the one this connection sees, since every key
 *   the transaction wrote was forgotten and is read from the database again.
 * Absent rows are remembered too (`null`): a new client is looked up several times before its
 * registration. At most `capacity` keys (a flood of made-up MACs costs no more): the oldest goes first.
 *
 * Complete: once `fill` has loaded every committed row, a key that is not remembered is known to be
 * absent, so a new client's lookups read nothing from the database; a forgotten key is then "stale"
 * (read from the database until a read outside a transaction remembers it again). Evicting a row, or
 * more than `capacity` stale keys, ends completeness: the cache goes back to remembering what it read.
 */
export class CommittedRowsCache<K, R> {
  private readonly rows = new Map<K, R | null>();
  private complete = false;
  /** Complete only: keys written since they were last read outside a transaction. */
  private readonly stale = new Set<K>();

  constructor(private readonly capacity = 4096) {}

  /** The remembered row (null: known absent), or undefined when the database must be read. */
  get(key: K): R | null | undefined {
    const row = this.rows.get(key);
    if (row !== undefined) return row;
    return this.complete && !this.stale.has(key) ? null : undefined;
  }

  remember(key: K, row: R | null): void {
    if (this.complete) {
      this.stale.delete(key);
      if (row === null) {
        this.rows.delete(key); // absent is what complete means for a key it does not hold
        return;
      }
    }
    if (this.rows.size >= this.capacity && !this.rows.has(key)) {
      const oldest = this.rows.keys().next();
      if (!oldest.done) this.rows.delete(oldest.value);
      this.endCompleteness();
    }
    this.rows.set(key, row);
  }

  forget(key: K | null | undefined): void {
    if (key === null || key === undefined) return;
    this.rows.delete(key);
    if (!this.complete) return;
    this.stale.add(key);
    if (this.stale.size > this.capacity) this.endCompleteness();
  }

  /**
   * Every committed row (read outside a transaction), each under its key; `ambiguous` keys (several
   * rows share them, the database decides which one a read gets) stay to be read. Refused (false, the
   * cache unchanged) when there are more rows than the capacity.
   */
  fill(rows: ReadonlyMap<K, R>, ambiguous: Iterable<K> = []): boolean {
    if (rows.size > this.capacity) return false;
    this.rows.clear();
    this.stale.clear();
    for (const [key, row] of rows) this.rows.set(key, row);
    for (const key of ambiguous) this.stale.add(key);
    this.complete = true;
    return true;
  }

  /** Whether a key it does not hold is known absent (see the class comment). */
  get isComplete(): boolean {
    return this.complete;
  }

  private endCompleteness(): void {
    this.complete = false;
    this.stale.clear();
  }

  get size(): number {
    return this.rows.size;
  }
}
