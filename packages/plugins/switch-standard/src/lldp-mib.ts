import { SnmpError, macFromSnmp, oidSuffix, snmpText, type LldpNeighbor, type SnmpSession, type SnmpValue } from '@walt/sdk';
import { OID } from './oids.js';

/** lldpRemChassisIdSubtype macAddress(4): the only chassis ids WalT can match with its devices. */
const CHASSIS_MAC = 4;

/** Index of a lldpRemTable row: "timeMark.localPort.remIndex". */
function remIndexOf(column: string, oid: string): { key: string; port: number } | undefined {
  const rest = oidSuffix(column, oid);
  if (!rest) return undefined;
  const parts = rest.split('.');
  if (parts.length < 3) return undefined;
  return { key: parts.slice(0, 3).join('.'), port: Number(parts[1]) };
}

/** lldpRemSysCapEnabled is a BITS value, bit 0 first: bridge(2) is 0x20 in the first byte. */
function hasBridgeBit(value: SnmpValue): boolean {
  return Buffer.isBuffer(value) && value.length > 0 && (value[0] & 0x20) !== 0;
}

/** Does the agent implement LLDP-MIB at all (its local system data answers)? */
export async function hasLldpMib(snmp: SnmpSession): Promise<boolean> {
  const vbs = await snmp.walk(OID.lldpLocalSystemData, 10).catch(() => []);
  return vbs.length > 0;
}

/**
 * LLDP neighbours from lldpRemTable + lldpRemManAddrTable. The five columns are walked concurrently
 * (GetBulk with v2c), so a switch costs a handful of round trips, not one per neighbour.
 */
export async function readLldpNeighbors(snmp: SnmpSession): Promise<LldpNeighbor[]> {
  const [subtypes, chassis, names, caps, addrs] = await Promise.all([
    snmp.walk(OID.lldpRemChassisIdSubtype),
    snmp.walk(OID.lldpRemChassisId),
    snmp.walk(OID.lldpRemSysName),
    snmp.walk(OID.lldpRemSysCapEnabled),
    snmp.walk(OID.lldpRemManAddrIfSubtype),
  ]);
  if (!subtypes.length && !(await hasLldpMib(snmp))) {
    // No neighbour and no LLDP-MIB at all: say so, so the host reports BRIDGE-only data.
    throw new SnmpError('error', `${snmp.target.host} does not implement LLDP-MIB`);
  }
  const byKey = <T>(column: string, vbs: { oid: string; value: SnmpValue }[], f: (v: SnmpValue) => T) => {
    const m = new Map<string, T>();
    for (const vb of vbs) {
      const idx = remIndexOf(column, vb.oid);
      if (idx) m.set(idx.key, f(vb.value));
    }
    return m;
  };
  const macs = byKey(OID.lldpRemChassisId, chassis, macFromSnmp);
  const sysNames = byKey(OID.lldpRemSysName, names, snmpText);
  const bridges = byKey(OID.lldpRemSysCapEnabled, caps, hasBridgeBit);
  const ips = new Map<string, string>();
  for (const vb of addrs) {
    // index: timeMark.port.remIndex.addrSubtype.<len>.<addr bytes>; ipV4(1) with 4 bytes.
    const rest = oidSuffix(OID.lldpRemManAddrIfSubtype, vb.oid)?.split('.');
    if (!rest || rest.length < 5) continue;
    const key = rest.slice(0, 3).join('.');
    const [subtype, len, ...addr] = rest.slice(3).map(Number);
    if (subtype === 1 && len === 4 && addr.length === 4 && !ips.has(key)) ips.set(key, addr.join('.'));
  }
  const out: LldpNeighbor[] = [];
  for (const vb of subtypes) {
    const idx = remIndexOf(OID.lldpRemChassisIdSubtype, vb.oid);
    if (!idx || vb.value !== CHASSIS_MAC) continue;
    const mac = macs.get(idx.key);
    if (!mac) continue;
    out.push({ port: idx.port, mac, ip: ips.get(idx.key) ?? null, sysName: sysNames.get(idx.key) ?? null, bridge: bridges.get(idx.key) ?? false });
  }
  return out;
}

/** lldpLocPortId labels per local port number. */
export async function readLldpPortLabels(snmp: SnmpSession): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (const vb of await snmp.walk(OID.lldpLocPortId)) {
    const port = Number(oidSuffix(OID.lldpLocPortId, vb.oid));
    const label = snmpText(vb.value);
    if (Number.isInteger(port) && label) out.set(port, label);
  }
  return out;
}
