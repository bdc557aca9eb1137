import {
  defineSwitchDriver,
  macFromSnmp,
  oidSuffix,
  snmpNumber,
  snmpText,
  type LldpNeighbor,
  type PoePortMap,
  type SnmpSession,
  type SwitchDriver,
} from '@walt/sdk';
import { readForwardingTable, readSecondaryMacs } from '@walt/plugin-switch-standard';
import { TP_DISABLE, TP_ENABLE, TP_POWER_ON, TPLINK_ENTERPRISE, TPLINK_LLDP, TPLINK_POE } from './tplink-mibs.js';

/** "1/0/5" -> 5: the port number is the last run of digits of the label. */
export function portOfLabel(label: string): number | null {
  const digits = label.split(/[^\d]+/).filter(Boolean);
  return digits.length ? Number(digits[digits.length - 1]) : null;
}

/** Local port labels per ifIndex. */
async function localPorts(snmp: SnmpSession): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const vb of await snmp.walk(TPLINK_LLDP.localPortId)) {
    const ifIndex = oidSuffix(TPLINK_LLDP.localPortId, vb.oid);
    const label = snmpText(vb.value);
    if (ifIndex && label) out.set(ifIndex, label);
  }
  return out;
}

/** LLDP neighbours from TPLINK-LLDPINFO-MIB: MAC chassis ids only, no management address. */
export async function readTplinkNeighbors(snmp: SnmpSession): Promise<LldpNeighbor[]> {
  const [ports, types, ids, names] = await Promise.all([
    localPorts(snmp),
    snmp.walk(TPLINK_LLDP.neighborChassisIdType),
    snmp.walk(TPLINK_LLDP.neighborChassisId),
    snmp.walk(TPLINK_LLDP.neighborDeviceName),
  ]);
  const idOf = new Map(ids.map((vb) => [oidSuffix(TPLINK_LLDP.neighborChassisId, vb.oid), vb.value]));
  const nameOf = new Map(names.map((vb) => [oidSuffix(TPLINK_LLDP.neighborDeviceName, vb.oid), snmpText(vb.value)]));
  const out: LldpNeighbor[] = [];
  for (const vb of types) {
    const index = oidSuffix(TPLINK_LLDP.neighborChassisIdType, vb.oid);
    if (!index || snmpText(vb.value) !== 'MAC address') continue;
    const ifIndex = index.split('.')[0];
    const label = ports.get(ifIndex);
    const port = label ? portOfLabel(label) : Number(ifIndex);
    const mac = macFromSnmp(snmpText(idOf.get(index) ?? null));
    if (!mac || !port) continue;
    out.push({ port, mac, ip: null, sysName: nameOf.get(index) ?? null });
  }
  return out;
}

/** TP-Link switches: private LLDP and PoE MIBs; the PoE index is the port number. */
export const tplinkDriver: SwitchDriver = defineSwitchDriver({
  id: 'tplink',
  description: 'TP-Link switches (TPLINK-LLDPINFO-MIB, TPLINK-POWER-OVER-ETHERNET-MIB)',
  async probe(snmp, info) {
    // Only TP-Link switches are probed on private OIDs: invalid probes make them stop answering.
    if (!info.sysObjectID?.startsWith(TPLINK_ENTERPRISE + '.')) return 0;
    const poe = await snmp.walk(TPLINK_POE.portStatus, 5).catch(() => []);
    return poe.length ? 85 : 65;
  },
  lldpNeighbors: readTplinkNeighbors,
  forwardingTable: readForwardingTable,
  secondaryMacs: readSecondaryMacs,
  async portNames(snmp) {
    const out = new Map<number, string>();
    for (const label of (await localPorts(snmp)).values()) {
      const port = portOfLabel(label);
      if (port) out.set(port, label);
    }
    return out;
  },
  poe: {
    async mapPorts(snmp): Promise<PoePortMap> {
      const vbs = await snmp.walk(TPLINK_POE.portStatus);
      return Object.fromEntries(vbs.map((vb) => oidSuffix(TPLINK_POE.portStatus, vb.oid)).filter((s): s is string => !!s).map((i) => [i, i]));
    },
    async ports(snmp, map) {
      const [status, power] = await Promise.all([snmp.walk(TPLINK_POE.portStatus), snmp.walk(TPLINK_POE.powerStatus)]);
      const enabled = new Map(status.map((vb) => [oidSuffix(TPLINK_POE.portStatus, vb.oid), snmpNumber(vb.value) === TP_ENABLE]));
      const on = new Map(power.map((vb) => [oidSuffix(TPLINK_POE.powerStatus, vb.oid), snmpNumber(vb.value) === TP_POWER_ON]));
      return Object.entries(map)
        .filter(([, index]) => enabled.has(index))
        .map(([port, index]) => ({ port: Number(port), enabled: enabled.get(index)!, delivering: on.get(index) ?? false }));
    },
    async setPower(snmp, port, on, map) {
      const index = map[String(port)];
      if (!index) throw new Error(`port ${port} of switch ${snmp.target.host} has no PoE`);
      await snmp.set(`${TPLINK_POE.portStatus}.${index}`, 'Integer', on ? TP_ENABLE : TP_DISABLE);
    },
  },
});
