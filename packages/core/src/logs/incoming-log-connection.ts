import type { Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import type { LogRecord } from '../store/logs-repository.js';
import { nowMicros, type LogService } from './log-service.js';
import { acceptedTimestamp, checkStreamName } from './ingest-rules.js';
import type { IssuerRate } from './issuer-rate.js';

/** Lines received but not yet committed, per connection, before reading from it pauses. */
const MAX_IN_FLIGHT = 50_000;
const MAX_LINE = 1024 * 1024;
/** Sent after the commit of every line of the connection. */
export const ACKNOWLEDGEMENT = 'OK\n';

/**
 * REQ_NEW_INCOMING_LOGS, as the node tools (walt-log-cat, walt-log-echo) speak it:
 *   <stream name>\n
 *   NO_TIMESTAMPS\n | TIMESTAMPS_INSIDE\n
 *   <line>\n | <float seconds> <line>\n   (repeated)
 *   CLOSE\n
 * The issuer is the device whose IP opened the connection. Once every line received is committed,
 * the server answers `OK\n` and closes: the explicit acknowledgement. A close alone is not one (the
 * kernel also closes cleanly the connections of a server killed with -9); clients of older images,
 * which only wait for the close, keep working (they discard what the server sends).
 */
export function acceptLogConnection(socket: Socket, rest: Buffer, logs: LogService, issuerMac: string | undefined, rate?: IssuerRate): void {
  if (!issuerMac) {
    // As the original: lines from an address that is no known device are ignored.
    socket.end('ERROR unknown issuer: this address is not a registered WalT device\n');
    return;
  }
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let stream: string | null = null;
  let timestamps: boolean | null = null;
  let closing = false;
  let inFlight = 0;
  let commits: Promise<void> = Promise.resolve();
  let failed = false;
  /** Paused because the node is over its rate (issuer-rate.ts) until then. */
  let throttledUntil = 0;

  const finish = () => {
    if (closing) return;
    closing = true;
    socket.pause();
    void commits.then(() => (failed ? socket.destroy() : socket.end(ACKNOWLEDGEMENT)));
  };

  const handleLine = (text: string, records: LogRecord[]) => {
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (stream === null) {
      const problem = checkStreamName(text.trim());
      if (problem) {
        socket.end(`ERROR ${problem}\n`);
        closing = true;
        return;
      }
      stream = text.trim();
      return;
    }
    if (timestamps === null) {
      timestamps = text.trim() !== 'NO_TIMESTAMPS';
      return;
    }
    if (text === 'CLOSE') return finish();
    const now = nowMicros();
    if (!timestamps) {
      records.push({ ts: now, issuerMac, stream, line: text });
      return;
    }
    const space = text.indexOf(' ');
    const given = space > 0 ? Number(text.slice(0, space)) : NaN;
    // An unreadable timestamp keeps the whole line, stamped on reception.
    if (Number.isNaN(given)) records.push({ ts: now, issuerMac, stream, line: text });
    else records.push({ ts: acceptedTimestamp(given, now), issuerMac, stream, line: text.slice(space + 1) });
  };

  const consume = (text: string, final: boolean) => {
    const records: LogRecord[] = [];
    let data = partial + text;
    let start = 0;
    for (;;) {
      if (closing) break;
      const nl = data.indexOf('\n', start);
      if (nl < 0) break;
      handleLine(data.slice(start, nl), records);
      start = nl + 1;
    }
    data = data.slice(start);
    if (final && data && !closing) handleLine(data, records);
    partial = final ? '' : data;
    if (partial.length > MAX_LINE) {
      socket.end('ERROR line too long\n');
      closing = true;
    }
    if (records.length && rate) {
      let bytes = 0;
      for (const r of records) bytes += r.line.length;
      const wait = rate.take(issuerMac, bytes);
      if (wait > 0 && !closing) {
        throttledUntil = Date.now() + wait;
        socket.pause();
        setTimeout(() => {
          throttledUntil = 0;
          if (inFlight < MAX_IN_FLIGHT && !closing) socket.resume();
        }, wait).unref();
      }
    }
    if (records.length) {
      inFlight += records.length;
      const n = records.length;
      const committed = logs.ingest(records).then(
        () => {
          inFlight -= n;
          if (inFlight < MAX_IN_FLIGHT && !closing && Date.now() >= throttledUntil) socket.resume();
        },
        () => {
          // Not stored: close without the clean end, so the client knows (never acknowledged).
          failed = true;
          socket.destroy();
        },
      );
      commits = Promise.all([commits, committed]).then(() => undefined);
      if (inFlight >= MAX_IN_FLIGHT) socket.pause();
    }
  };

  socket.on('data', (chunk: Buffer) => {
    if (!closing && !failed) consume(decoder.write(chunk), false);
  });
  socket.on('end', () => {
    if (!closing) consume(decoder.end(), true);
    finish();
  });
  consume(decoder.write(rest), false);
  if (!closing && Date.now() >= throttledUntil) socket.resume();
}
