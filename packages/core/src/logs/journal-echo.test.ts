import { describe, expect, it } from 'vitest';
import { formatEchoLine, hostEcho, journalErrorWriter, runsUnderSystemd } from './journal-echo.js';

describe('platform line echo fitted to the host', () => {
  it('detects systemd by JOURNAL_STREAM or INVOCATION_ID', () => {
    expect(runsUnderSystemd({})).toBe(false);
    expect(runsUnderSystemd({ JOURNAL_STREAM: '8:12345' })).toBe(true);
    expect(runsUnderSystemd({ INVOCATION_ID: '0123abcd' })).toBe(true);
  });

  it('under systemd, ERROR lines get <3> and the others <6>', () => {
    const written: string[] = [];
    const echo = hostEcho({ JOURNAL_STREAM: '8:1' }, (t) => written.push(t));
    echo('platform.devices -> new device rpi-3b-plus-a1b2c3');
    echo('ERROR platform.switches -> switch-1: SNMP timeout');
    expect(written).toEqual(['<6>platform.devices -> new device rpi-3b-plus-a1b2c3\n', '<3>ERROR platform.switches -> switch-1: SNMP timeout\n']);
  });

  it('prefixes every physical line, so a multi-line error stays an error in the journal', () => {
    expect(formatEchoLine('ERROR platform.plugins -> failed\n  at x', true)).toBe('<3>ERROR platform.plugins -> failed\n<3>  at x\n');
  });

  it('elsewhere, lines are written unchanged', () => {
    const written: string[] = [];
    hostEcho({}, (t) => written.push(t))('ERROR platform.nodes -> x');
    expect(written).toEqual(['ERROR platform.nodes -> x\n']);
  });
});

describe('stderr under systemd', () => {
  it('prefixes every line with <3>, across writes that split lines', () => {
    const written: string[] = [];
    const write = journalErrorWriter((t) => written.push(t) > 0, { INVOCATION_ID: 'x' })!;
    write('Error: the database has schema version 99');
    write(', newer than this walt-server knows\nstack line 1\n');
    write('next\n');
    expect(written.join('')).toBe('<3>Error: the database has schema version 99, newer than this walt-server knows\n<3>stack line 1\n<3>next\n');
  });

  it('is not installed outside systemd', () => {
    expect(journalErrorWriter(() => true, {})).toBeNull();
  });
});
