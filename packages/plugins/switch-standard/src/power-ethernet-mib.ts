import { oidSuffix, snmpNumber, type PoePortMap, type PoeSupport, type SnmpSession } from '@walt/sdk';
import { readIfColumn } from './if-mib.js';
import { OID, PETH_ADMIN_ENABLE, PETH_DELIVERING, PETH_DETECTION_STATUS } from './oids.js';
import { mapPoePorts } from './poe-port-mapping.js';

/** TruthValue of pethPsePortAdminEnable. */
const TRUE = 1;
const FALSE = 2;

/** The admin-enable column of a pethPsePortEntry-shaped table. */
export function pethAdminColumn(entryOid: string): string {
  return `${entryOid}.${PETH_ADMIN_ENABLE}`;
}

/** Does the agent have PoE ports in a pethPsePortEntry-shaped table at entryOid? */
export async function hasPethTable(snmp: SnmpSession, entryOid: string): Promise<boolean> {
  const vbs = await snmp.walk(pethAdminColumn(entryOid), 5).catch(() => []);
  return vbs.length > 0;
}

/**
 * PoE over a pethPsePortEntry-shaped table: the standard POWER-ETHERNET-MIB, or a vendor copy of it
 * at another OID (Netgear). Indexes are (group, port); the interface port mapping is the heuristic
 * of poe-port-mapping.ts.
 */
export function pethPoeSupport(entryOid: string = OID.pethPsePortEntry): PoeSupport {
  const admin = pethAdminColumn(entryOid);
  const detection = `${entryOid}.${PETH_DETECTION_STATUS}`;
  return {
    async mapPorts(snmp: SnmpSession): Promise<PoePortMap> {
      const [ifSpeed, ifType, adminVbs] = await Promise.all([readIfColumn(snmp, OID.ifSpeed), readIfColumn(snmp, OID.ifType), snmp.walk(admin)]);
      const poeIndexes = adminVbs.map((vb) => oidSuffix(admin, vb.oid)).filter((s): s is string => !!s);
      return mapPoePorts({ ifSpeed, ifType, poeIndexes, host: snmp.target.host });
    },
    async ports(snmp: SnmpSession, map: PoePortMap) {
      const [adminVbs, detectVbs] = await Promise.all([snmp.walk(admin), snmp.walk(detection)]);
      const enabled = new Map(adminVbs.map((vb) => [oidSuffix(admin, vb.oid), snmpNumber(vb.value) === TRUE]));
      const delivering = new Map(detectVbs.map((vb) => [oidSuffix(detection, vb.oid), snmpNumber(vb.value) === PETH_DELIVERING]));
      return Object.entries(map)
        .filter(([, index]) => enabled.has(index))
        .map(([port, index]) => ({ port: Number(port), enabled: enabled.get(index)!, delivering: delivering.get(index) ?? false }));
    },
    async setPower(snmp: SnmpSession, port: number, on: boolean, map: PoePortMap) {
      const index = map[String(port)];
      if (!index) throw new Error(`port ${port} of switch ${snmp.target.host} has no PoE`);
      await snmp.set(`${admin}.${index}`, 'Integer', on ? TRUE : FALSE);
    },
  };
}
