import { LogsRepository, type HistoryBounds, type LogRow } from '../store/logs-repository.js';

/** A history line with the stream it belongs to. */
export interface HistoryLine extends LogRow {
  streamId: number;
}

/** Rows buffered in memory at most across all streams of one scan. */
const BUFFER_BUDGET = 50_000;

interface Cursor {
  streamId: number;
  rows: LogRow[];
  pos: number;
  done: boolean;
}

/**
 * The lines of several streams within bounds, in (timestamp, id) order: a k-way merge of one keyset
 * cursor per stream. Each page is a complete query (no statement stays open between pages), so
 * ingestion goes on while a large history is streamed out, and memory stays bounded.
 */
export function* scanHistory(repo: LogsRepository, streamIds: readonly number[], bounds: HistoryBounds): Generator<HistoryLine> {
  if (!streamIds.length) return;
  const pageSize = Math.max(64, Math.min(5000, Math.floor(BUFFER_BUDGET / streamIds.length)));
  const start = LogsRepository.startCursor(bounds);
  const fill = (c: Cursor, from: { ts: number; id: number }) => {
    c.rows = repo.page(c.streamId, from, bounds, pageSize);
    c.pos = 0;
    c.done = c.rows.length < pageSize;
  };
  const heap: Cursor[] = [];
  for (const streamId of streamIds) {
    const c: Cursor = { streamId, rows: [], pos: 0, done: false };
    fill(c, start);
    if (c.rows.length) heapPush(heap, c);
  }
  while (heap.length) {
    const c = heap[0];
    const row = c.rows[c.pos++];
    yield { ...row, streamId: c.streamId };
    if (c.pos === c.rows.length) {
      if (c.done) {
        heapPop(heap);
        continue;
      }
      fill(c, row);
      if (!c.rows.length) {
        heapPop(heap);
        continue;
      }
    }
    siftDown(heap, 0);
  }
}

function before(a: Cursor, b: Cursor): boolean {
  const x = a.rows[a.pos];
  const y = b.rows[b.pos];
  return x.ts < y.ts || (x.ts === y.ts && x.id < y.id);
}

function heapPush(heap: Cursor[], c: Cursor): void {
  heap.push(c);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i], heap[parent])) break;
    [heap[i], heap[parent]] = [heap[parent], heap[i]];
    i = parent;
  }
}

function heapPop(heap: Cursor[]): void {
  const last = heap.pop()!;
  if (heap.length) {
    heap[0] = last;
    siftDown(heap, 0);
  }
}

function siftDown(heap: Cursor[], i: number): void {
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < heap.length && before(heap[l], heap[m])) m = l;
    if (r < heap.length && before(heap[r], heap[m])) m = r;
    if (m === i) return;
    [heap[i], heap[m]] = [heap[m], heap[i]];
    i = m;
  }
}
