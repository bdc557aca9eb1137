import { defineSwitchDriver, oidSuffix, snmpNumber, type PoePortMap, type SnmpSession, type SwitchDriver } from '@walt/sdk';
import { PETH_ADMIN_ENABLE, PETH_FALSE, PETH_TRUE, ZYXEL_ENTERPRISE, ZYXEL_POE } from './zyxel-mib.js';

/** bridge port -> value of a Zyxel per-port column. */
async function perPort(snmp: SnmpSession, column: string): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const vb of await snmp.walk(column)) {
    const port = Number(oidSuffix(column, vb.oid));
    const n = snmpNumber(vb.value);
    if (Number.isInteger(port) && n !== null) out.set(port, n);
  }
  return out;
}

/**
 * PoE for Zyxel switches. This driver handles PoE only: WalT reads LLDP and forwarding tables with
 * the driver that handles those best (the standard one), because the host asks the winning driver
 * and falls back on the others for what it lacks.
 */
export const zyxelDriver: SwitchDriver = defineSwitchDriver({
  id: 'zyxel',
  description: 'Zyxel switches: PoE through ZYXEL-POWER-ETHERNET-MIB (example third-party driver)',
  async probe(snmp, info) {
    if (!info.sysObjectID?.startsWith(ZYXEL_ENTERPRISE + '.')) return 0;
    const ports = await snmp.walk(ZYXEL_POE.portMaxPower, 5).catch(() => []);
    return ports.length ? 90 : 0;
  },
  poe: {
    async mapPorts(snmp): Promise<PoePortMap> {
      const ports = await perPort(snmp, ZYXEL_POE.portMaxPower);
      return Object.fromEntries([...ports.keys()].map((p) => [String(p), `1.${p}`]));
    },
    async ports(snmp, map) {
      const [admin, consumption] = await Promise.all([snmp.walk(PETH_ADMIN_ENABLE), perPort(snmp, ZYXEL_POE.portPowerConsumption)]);
      const enabled = new Map(admin.map((vb) => [oidSuffix(PETH_ADMIN_ENABLE, vb.oid), snmpNumber(vb.value) === PETH_TRUE]));
      return Object.entries(map).map(([port, index]) => ({
        port: Number(port),
        enabled: enabled.get(index) ?? false,
        delivering: (consumption.get(Number(port)) ?? 0) > 0,
      }));
    },
    async setPower(snmp, port, on, map) {
      const index = map[String(port)];
      if (!index) throw new Error(`port ${port} of Zyxel switch ${snmp.target.host} has no PoE`);
      await snmp.set(`${PETH_ADMIN_ENABLE}.${index}`, 'Integer', on ? PETH_TRUE : PETH_FALSE);
    },
  },
});
