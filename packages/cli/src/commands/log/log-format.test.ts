import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BAD_FORMAT, compileLogFormat, DEFAULT_LOG_FORMAT } from './log-format.js';
import { pythonDatetime } from './strftime.js';

// 2023-11-14 22:13:20.000042 UTC
const record = { id: 1, ts: 1_700_000_000_000_042, issuer: 'walt-server', stream: 'platform.devices', line: "new node name=node-f26782 it's" };
let tz: string | undefined;

describe('--format', () => {
  beforeAll(() => {
    tz = process.env.TZ;
    process.env.TZ = 'UTC';
  });
  afterAll(() => {
    process.env.TZ = tz;
  });

  it('renders the default format as the original', () => {
    expect(compileLogFormat(DEFAULT_LOG_FORMAT)(record)).toBe("22:13:20.000042 walt-server.platform.devices -> new node name=node-f26782 it's");
  });

  it('renders POSIX time with %s.%f and other strftime directives', () => {
    expect(compileLogFormat('{timestamp:%s.%f}')(record)).toBe('1700000000.000042');
    expect(compileLogFormat('{timestamp:%Y-%m-%d %a %b %j %I%p %z %%}')(record)).toBe('2023-11-14 Tue Nov 318 10PM +0000 %');
    expect(compileLogFormat('{timestamp}')(record)).toBe('2023-11-14 22:13:20.000042');
    expect(pythonDatetime(1_700_000_000_000_000)).toBe('2023-11-14 22:13:20');
  });

  it('supports escapes, width, alignment, precision and !r', () => {
    expect(compileLogFormat('{{{issuer:>14}}} [{stream:.8}] {issuer:*^15} {line!r}')(record)).toBe(
      "{   walt-server} [platform] **walt-server** \"new node name=node-f26782 it's\"",
    );
  });

  it('refuses unknown fields and malformed formats before any record', () => {
    for (const bad of ['{foo}', '{}', '{0}', '{line', 'x}', '{line:>>>}', '{line!x}']) {
      expect(() => compileLogFormat(bad)).toThrow(BAD_FORMAT);
    }
  });
});
