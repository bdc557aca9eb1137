import snmp from 'net-snmp';
import {
  SNMP_NO_VALUE_TYPES,
  SnmpError,
  varbindsToTable,
  type SnmpSession,
  type SnmpSessionFactory,
  type SnmpSetType,
  type SnmpTable,
  type SnmpTarget,
  type SnmpValue,
  type SnmpVarbind,
} from './snmp.js';

const SET_TYPES: Record<SnmpSetType, number> = {
  Integer: snmp.ObjectType.Integer,
  OctetString: snmp.ObjectType.OctetString,
  Gauge: snmp.ObjectType.Gauge,
  Unsigned32: snmp.ObjectType.Unsigned32,
};

function toSnmpError(e: unknown, target: SnmpTarget, what: string): SnmpError {
  const err = e as Error;
  const where = `${target.host}:${target.port ?? 161}`;
  if (err?.name === 'RequestTimedOutError') return new SnmpError('timeout', `SNMP ${what} on ${where}: no answer (timed out)`);
  return new SnmpError('error', `SNMP ${what} on ${where}: ${err?.message ?? String(e)}`);
}

function toVarbind(vb: { oid: string; type?: number; value?: unknown }): SnmpVarbind {
  const type = vb.type ?? 5;
  const value = SNMP_NO_VALUE_TYPES.includes(type) ? null : ((vb.value ?? null) as SnmpValue);
  return { oid: vb.oid, type, value };
}

/** Numeric OID order. */
export function compareOids(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/**
 * A session over net-snmp (v1 and v2c). One UDP socket per session; requests may run concurrently
 * on it. Every failure rejects with an SnmpError, so callers need no net-snmp knowledge.
 */
export class NetSnmpSession implements SnmpSession {
  private readonly session: snmp.Session;
  private closed = false;

  constructor(readonly target: Readonly<SnmpTarget>) {
    this.session = snmp.createSession(target.host, target.community, {
      port: target.port ?? 161,
      version: target.version === 1 ? snmp.Version1 : snmp.Version2c,
      timeout: target.timeoutMs ?? 3000,
      retries: target.retries ?? 2,
      // Linear back-off: the bound of a request stays timeout * (retries + 1).
      backoff: 1,
    });
    // A socket error (e.g. EHOSTUNREACH) is reported through the pending request; never crash on it.
    this.session.on('error', () => undefined);
  }

  get(oids: readonly string[]): Promise<SnmpVarbind[]> {
    return new Promise((resolve, reject) => {
      this.session.get([...oids], (error, varbinds) => {
        if (error) {
          // v1 agents answer a missing OID with noSuchName for the whole request: ask one by one.
          if (this.target.version === 1 && (error as Error).name === 'RequestFailedError' && oids.length > 1) {
            Promise.all(oids.map((o) => this.get([o]).then((r) => r[0]).catch(() => ({ oid: o, type: 128, value: null }))))
              .then(resolve, reject);
            return;
          }
          if (this.target.version === 1 && (error as Error).name === 'RequestFailedError' && /NoSuchName/i.test((error as Error).message)) {
            resolve(oids.map((oid) => ({ oid, type: 128, value: null })));
            return;
          }
          reject(toSnmpError(error, this.target, 'get'));
          return;
        }
        resolve((varbinds ?? []).map(toVarbind));
      });
    });
  }

  walk(oid: string, maxRepetitions = 50): Promise<SnmpVarbind[]> {
    return new Promise((resolve, reject) => {
      const out: SnmpVarbind[] = [];
      this.session.subtree(
        oid,
        maxRepetitions,
        (varbinds) => {
          for (const vb of varbinds) {
            // Some agents answer past their last object with noSuchObject at the same OID instead of
            // endOfMibView; stop there rather than asking again forever.
            if (snmp.isVarbindError(vb)) return true;
            const last = out[out.length - 1];
            if (last && compareOids(vb.oid, last.oid) <= 0) return true;
            out.push(toVarbind(vb));
          }
          return false;
        },
        (error) => {
          if (!error) return resolve(out);
          // A v1 agent ends a walk past its last OID with noSuchName: that is the end, not a failure.
          if ((error as Error).name === 'RequestFailedError' && /NoSuchName/i.test((error as Error).message)) return resolve(out);
          reject(toSnmpError(error, this.target, `walk ${oid}`));
        },
      );
    });
  }

  async table(tableOid: string): Promise<SnmpTable> {
    return varbindsToTable(tableOid, await this.walk(tableOid));
  }

  set(oid: string, type: SnmpSetType, value: number | string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.session.set([{ oid, type: SET_TYPES[type], value }], (error, varbinds) => {
        if (error) return reject(toSnmpError(error, this.target, `set ${oid}`));
        const bad = (varbinds ?? []).find((vb) => snmp.isVarbindError(vb));
        if (bad) return reject(new SnmpError('error', `SNMP set ${oid} on ${this.target.host}: ${snmp.varbindError(bad)}`));
        resolve();
      });
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.session.close();
    } catch {
      /* already closed */
    }
  }
}

/** The factory the host hands to plugins: sessions over net-snmp. */
export class NetSnmpSessionFactory implements SnmpSessionFactory {
  open(target: SnmpTarget): SnmpSession {
    return new NetSnmpSession(target);
  }
}
