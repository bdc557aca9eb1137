import { columnate } from './table.js';

/** A table without the columns that are empty in every row (the original's `shrink_empty_cols`). */
export function columnateShrinking(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<unknown>>): string {
  const empty = (c: unknown) => c === null || c === undefined || c === '';
  const keep = headers.map((_, i) => rows.some((r) => !empty(r[i])));
  const pick = <T>(r: readonly T[]) => r.filter((_, i) => keep[i]);
  return columnate(pick(headers), rows.map((r) => pick(r)));
}
