import { describe, expect, it } from 'vitest';
import { UnexpectedErrorLog, originOf } from './unexpected-error-log.js';

describe('UnexpectedErrorLog', () => {
  it('names the origin: the first frame outside Node internals', () => {
    const e = new Error('boom');
    e.stack = 'Error: boom\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n    at DhcpServer.prefetch (/srv/walt/packages/core/dist/network/dhcp/dhcp-server.js:191:12)';
    expect(originOf(e)).toBe('DhcpServer.prefetch (packages/core/dist/network/dhcp/dhcp-server.js:191)');
    expect(originOf('a string')).toBe('unknown origin');
  });

  it('says a failure once per period, then how many times it repeated', () => {
    let now = 0;
    const lines: string[] = [];
    const log = new UnexpectedErrorLog((line) => lines.push(line), () => now);
    const e = new Error('engine gone');
    for (let i = 0; i < 5; i++) log.report('unhandledRejection', e);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^unexpected rejection at .*unexpected-error-log\.test\.ts:\d+.*: Error: engine gone; the server keeps serving/);
    log.report('uncaughtException', e);
    expect(lines[1]).toMatch(/^unexpected exception at /);
    now += 11 * 60_000;
    log.report('unhandledRejection', e);
    expect(lines[2]).toContain('(4 more times since last said)');
    expect(log.count).toBe(7);
  });
});
