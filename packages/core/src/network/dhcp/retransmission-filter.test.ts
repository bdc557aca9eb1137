import { describe, expect, it } from 'vitest';
import { RetransmissionFilter, type SentAck } from './retransmission-filter.js';

const MAC = '02:00:00:00:00:01';
const ACK: SentAck = { reply: Buffer.from('ack'), to: { kind: 'broadcast' }, ip: '192.168.152.2' };

describe('RetransmissionFilter', () => {
  it('drops a DISCOVER copy received before its OFFER left, handles one received after (the OFFER may be lost)', () => {
    const f = new RetransmissionFilter();
    expect(f.check(MAC, 7, 'DISCOVER', 100, 100).kind).toBe('handle');
    f.offered(MAC, 7, 105);
    expect(f.check(MAC, 7, 'DISCOVER', 104.9, 106).kind).toBe('duplicate');
    expect(f.check(MAC, 7, 'DISCOVER', 105, 106).kind).toBe('duplicate');
    expect(f.check(MAC, 7, 'DISCOVER', 105.1, 106).kind).toBe('handle');
    expect(f.check(MAC, 8, 'DISCOVER', 100, 106).kind).toBe('handle'); // another xid: a new exchange
    expect(f.check('02:00:00:00:00:02', 7, 'DISCOVER', 100, 106).kind).toBe('handle');
  });

  it('handles the REQUEST that follows the OFFER, then drops its copies while it is committed', () => {
    const f = new RetransmissionFilter();
    f.offered(MAC, 7, 105);
    expect(f.check(MAC, 7, 'REQUEST', 104, 110).kind).toBe('handle'); // INIT-REBOOT or odd clients: no ACK of this xid yet
    expect(f.check(MAC, 7, 'REQUEST', 110, 110).kind).toBe('handle');
    f.committing(MAC, 7, 110);
    expect(f.check(MAC, 7, 'REQUEST', 111, 900).kind).toBe('duplicate');
    expect(f.check(MAC, 7, 'DISCOVER', 111, 900).kind).toBe('duplicate');
  });

  it('after the ACK: a copy sent before it left is dropped, one sent after gets the same ACK again', () => {
    const f = new RetransmissionFilter();
    f.committing(MAC, 7, 110);
    f.acked(MAC, 7, 120, ACK);
    expect(f.check(MAC, 7, 'REQUEST', 119, 121).kind).toBe('duplicate');
    expect(f.check(MAC, 7, 'DISCOVER', 119, 121).kind).toBe('duplicate');
    expect(f.check(MAC, 7, 'REQUEST', 121, 122)).toEqual({ kind: 'resend', ack: ACK });
    expect(f.check(MAC, 7, 'DISCOVER', 121, 122).kind).toBe('handle'); // a client that starts over
  });

  it('forgets an exchange whose commit failed, and exchanges older than its memory', () => {
    const f = new RetransmissionFilter(10, 1000);
    f.committing(MAC, 7, 110);
    f.abandoned(MAC, 8); // another xid: not this one
    expect(f.check(MAC, 7, 'REQUEST', 111, 111).kind).toBe('duplicate');
    f.abandoned(MAC, 7);
    expect(f.check(MAC, 7, 'REQUEST', 111, 111).kind).toBe('handle');
    f.acked(MAC, 7, 120, ACK);
    expect(f.check(MAC, 7, 'REQUEST', 119, 1120).kind).toBe('duplicate');
    expect(f.check(MAC, 7, 'REQUEST', 119, 1121).kind).toBe('handle');
  });

  it('keeps at most its limit of clients, dropping the oldest first', () => {
    const f = new RetransmissionFilter(3, 60_000);
    for (let i = 0; i < 5; i++) f.offered(`02:00:00:00:00:0${i}`, i, 100 + i);
    expect(f.size).toBe(3);
    expect(f.check('02:00:00:00:00:00', 0, 'DISCOVER', 50, 200).kind).toBe('handle'); // forgotten
    expect(f.check('02:00:00:00:00:04', 4, 'DISCOVER', 50, 200).kind).toBe('duplicate');
  });
});
