import { SnmpError, macFromSnmp, oidSuffix, snmpNumber, type ForwardingEntry, type SnmpSession, type SnmpVarbind } from '@walt/sdk';
import { FDB_LEARNED, OID } from './oids.js';

const ZERO_MAC = '00:00:00:00:00:00';

/** MAC from the last 6 sub-identifiers of an fdb index (dot1q: fdbId.m1..m6, dot1d: m1..m6). */
function macOfIndex(index: string): string | null {
  const parts = index.split('.').map(Number);
  if (parts.length < 6) return null;
  return parts.slice(-6).map((b) => b.toString(16).padStart(2, '0')).join(':');
}

function learned(portColumn: string, statusColumn: string, ports: SnmpVarbind[], statuses: SnmpVarbind[]): ForwardingEntry[] {
  const status = new Map<string, number | null>();
  for (const vb of statuses) {
    const idx = oidSuffix(statusColumn, vb.oid);
    if (idx) status.set(idx, snmpNumber(vb.value));
  }
  const out: ForwardingEntry[] = [];
  for (const vb of ports) {
    const idx = oidSuffix(portColumn, vb.oid);
    const port = snmpNumber(vb.value);
    if (!idx || !port) continue; // port 0: learned but not on a bridge port
    if (status.has(idx) && status.get(idx) !== FDB_LEARNED) continue;
    const mac = macOfIndex(idx);
    if (mac) out.push({ mac, port });
  }
  return out;
}

/** Does the agent answer Q-BRIDGE or BRIDGE forwarding tables? */
export async function hasForwardingTable(snmp: SnmpSession): Promise<boolean> {
  for (const column of [OID.dot1qTpFdbPort, OID.dot1dTpFdbPort]) {
    const vbs = await snmp.walk(column, 5).catch(() => []);
    if (vbs.length) return true;
  }
  return false;
}

/**
 * Learned entries of the forwarding table: Q-BRIDGE (dot1qTpFdbTable, VLAN-aware) first; BRIDGE-MIB
 * (dot1dTpFdbTable) for agents without Q-BRIDGE.
 */
export async function readForwardingTable(snmp: SnmpSession): Promise<ForwardingEntry[]> {
  const [qPorts, qStatus] = await Promise.all([snmp.walk(OID.dot1qTpFdbPort), snmp.walk(OID.dot1qTpFdbStatus)]);
  if (qPorts.length) return dedupe(learned(OID.dot1qTpFdbPort, OID.dot1qTpFdbStatus, qPorts, qStatus));
  const [dPorts, dStatus, base] = await Promise.all([snmp.walk(OID.dot1dTpFdbPort), snmp.walk(OID.dot1dTpFdbStatus), snmp.get([OID.dot1dBaseBridgeAddress])]);
  if (!dPorts.length && base[0]?.value === null) {
    // Not a bridge at all (e.g. a host's snmpd): say so, so the host reports LLDP-only data.
    throw new SnmpError('error', `${snmp.target.host} does not implement BRIDGE-MIB`);
  }
  return dedupe(learned(OID.dot1dTpFdbPort, OID.dot1dTpFdbStatus, dPorts, dStatus));
}

/** The same MAC learned in several VLANs on the same port counts once. */
function dedupe(entries: ForwardingEntry[]): ForwardingEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => {
    const k = `${e.mac}@${e.port}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The switch's own MACs: interface addresses and the bridge address (all-zero removed). */
export async function readSecondaryMacs(snmp: SnmpSession): Promise<string[]> {
  const [phys, bridge] = await Promise.all([snmp.walk(OID.ifPhysAddress), snmp.get([OID.dot1dBaseBridgeAddress]).catch(() => [])]);
  const macs = new Set<string>();
  for (const vb of [...phys, ...bridge]) {
    const mac = macFromSnmp(vb.value);
    if (mac && mac !== ZERO_MAC) macs.add(mac);
  }
  return [...macs];
}
