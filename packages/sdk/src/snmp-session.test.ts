import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetSnmpSessionFactory } from './snmp-session.js';
import { isSnmpError, snmpText, type SnmpVersion } from './snmp.js';
import { SimulatedSwitch, startSilentAgent } from './testing/simulated-switch.js';

describe('NetSnmpSession against a simulated agent', () => {
  let sw: SimulatedSwitch;
  const factory = new NetSnmpSessionFactory();
  beforeAll(async () => {
    sw = await SimulatedSwitch.start({ mac: '02:00:5e:00:70:01', sysName: 'session-test', ports: 4 });
  });
  afterAll(() => sw.close());
  const open = (version: SnmpVersion, community = 'public') => factory.open({ host: sw.host, port: sw.port, version, community, timeoutMs: 500, retries: 0 });

  for (const version of [1, 2] as const) {
    it(`v${version}: get gives values, and null for a missing OID`, async () => {
      const s = open(version);
      try {
        const [name, missing] = await s.get(['1.3.6.1.2.1.1.5.0', '1.3.6.1.2.1.1.99.0']);
        expect(snmpText(name.value)).toBe('session-test');
        expect(missing.value).toBeNull();
      } finally {
        s.close();
      }
    });

    it(`v${version}: walk and table read ifTable`, async () => {
      const s = open(version);
      try {
        const speeds = await s.walk('1.3.6.1.2.1.2.2.1.5');
        expect(speeds.map((v) => v.oid)).toEqual([1, 2, 3, 4].map((i) => `1.3.6.1.2.1.2.2.1.5.${i}`));
        const table = await s.table('1.3.6.1.2.1.2.2');
        expect([...table.keys()]).toEqual(['1', '2', '3', '4']);
        expect(snmpText(table.get('3')!.get(2)!)).toBe('port 3');
        expect(await s.walk('1.3.6.1.4.1.4526.11.16')).toEqual([]);
      } finally {
        s.close();
      }
    });
  }

  it('set works with the write community, and fails with an SnmpError with the read one', async () => {
    const rw = open(2, 'private');
    const ro = open(2, 'public');
    try {
      await rw.set('1.3.6.1.2.1.105.1.1.1.3.1.2', 'Integer', 2);
      expect(sw.isPoeOn(2)).toBe(false);
      const error = await ro.set('1.3.6.1.2.1.105.1.1.1.3.1.2', 'Integer', 1).catch((e: unknown) => e);
      expect(isSnmpError(error) && error.kind).toBe('error');
      expect(sw.isPoeOn(2)).toBe(false);
    } finally {
      rw.close();
      ro.close();
    }
  });

  it('a silent agent gives an SnmpError of kind timeout naming the agent', async () => {
    const silent = await startSilentAgent();
    const s = factory.open({ host: silent.host, port: silent.port, version: 2, community: 'public', timeoutMs: 200, retries: 1 });
    try {
      const error = await s.walk('1.3.6.1.2.1.2').catch((e: unknown) => e);
      expect(isSnmpError(error) && error.kind).toBe('timeout');
      expect((error as Error).message).toContain(`${silent.host}:${silent.port}`);
    } finally {
      s.close();
      await silent.close();
    }
  });
});
