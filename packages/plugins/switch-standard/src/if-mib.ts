import { oidSuffix, snmpNumber, snmpText, type SnmpSession } from '@walt/sdk';
import { OID } from './oids.js';

/** A numeric column of ifTable keyed by ifIndex, in walk order. */
export async function readIfColumn(snmp: SnmpSession, column: string): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const vb of await snmp.walk(column)) {
    const idx = Number(oidSuffix(column, vb.oid));
    const n = snmpNumber(vb.value);
    if (Number.isInteger(idx) && n !== null) out.set(idx, n);
  }
  return out;
}

/** ifName per ifIndex (IF-MIB ifXTable). */
export async function readIfNames(snmp: SnmpSession): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (const vb of await snmp.walk(OID.ifName)) {
    const idx = Number(oidSuffix(OID.ifName, vb.oid));
    const name = snmpText(vb.value);
    if (Number.isInteger(idx) && name) out.set(idx, name);
  }
  return out;
}
