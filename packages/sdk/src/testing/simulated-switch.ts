import dgram from 'node:dgram';
import snmp from 'net-snmp';
import {
  STANDARD_SWITCH_PROFILE,
  type SimulatedColumn,
  type SimulatedColumnType,
  type SimulatedNeighbor,
  type SimulatedSwitchState,
  type SimulatedTable,
  type SwitchProfile,
} from './switch-profile.js';

/**
 * A simulated switch: a real SNMP agent (net-snmp) on a loopback address, serving the MIBs a switch
 * driver reads, with PoE state that drivers can switch and tests can inspect. It serves the IETF
 * MIBs (IF-MIB, Q-BRIDGE-MIB, and unless its profile says otherwise LLDP-MIB and POWER-ETHERNET-MIB,
 * index group 1, port n); a profile, shipped by the package of the driver under test, adds the
 * vendor's sysObjectID and tables (see SwitchProfile). The SDK knows no vendor.
 */
export interface SimulatedSwitchOptions {
  /** The switch's kind (default: STANDARD_SWITCH_PROFILE). */
  profile?: SwitchProfile;
  /** Chassis MAC. */
  mac: string;
  sysName?: string;
  sysDescr?: string;
  /** Overrides the profile's sysObjectID. */
  sysObjectID?: string;
  /** Number of front ports (1..n), all PoE-capable unless poePorts says otherwise (default 8). */
  ports?: number;
  /** PoE-capable ports (default: all front ports). */
  poePorts?: number[];
  /** Ports with a powered device plugged in (default: all PoE ports). */
  poweredDevices?: number[];
  /** Serve the LLDP tables (default true); false simulates a switch without LLDP. */
  lldp?: boolean;
  neighbors?: SimulatedNeighbor[];
  /** Learned forwarding entries (Q-BRIDGE, VLAN 1). */
  fdb?: Array<{ mac: string; port: number }>;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** UDP port (default: a free one chosen by the kernel). */
  port?: number;
  readCommunity?: string;
  writeCommunity?: string;
}

export interface PoeEvent {
  port: number;
  on: boolean;
  /** Date.now() when the change was committed. */
  at: number;
  /** 'snmp' for a SET from a manager, 'test' for setPoe() from the test. */
  source: 'snmp' | 'test';
}

/** OIDs of the IETF tables the simulated switch serves (table entry OIDs). */
export const SIMULATED_OIDS = {
  ifEntry: '1.3.6.1.2.1.2.2.1',
  ifXEntry: '1.3.6.1.2.1.31.1.1.1',
  dot1dBaseBridgeAddress: '1.3.6.1.2.1.17.1.1',
  dot1qTpFdbEntry: '1.3.6.1.2.1.17.7.1.2.2.1',
  lldpLocChassisId: '1.0.8802.1.1.2.1.3.2',
  lldpLocPortEntry: '1.0.8802.1.1.2.1.3.7.1',
  lldpRemEntry: '1.0.8802.1.1.2.1.4.1.1',
  lldpRemManAddrEntry: '1.0.8802.1.1.2.1.4.2.1',
  pethPsePortEntry: '1.3.6.1.2.1.105.1.1.1',
} as const;

const T = snmp.ObjectType;
const RO = snmp.MaxAccess['read-only'];
const RW = snmp.MaxAccess['read-write'];
const NA = snmp.MaxAccess['not-accessible'];

const COLUMN_TYPES: Record<SimulatedColumnType, number> = { integer: T.Integer, 'octet-string': T.OctetString, gauge: T.Gauge, oid: T.OID };

function macBytes(mac: string): number[] {
  const parts = mac.toLowerCase().split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-f]{2}$/.test(p))) throw new Error(`invalid MAC '${mac}' (expected aa:bb:cc:dd:ee:ff)`);
  return parts.map((p) => parseInt(p, 16));
}

/** A UDP socket module whose sockets bind to the port we choose (0 = kernel's choice) and can be muted. */
function controllableDgram(bindPort: number, state: { muted: boolean; delayMs: number; socket?: dgram.Socket }) {
  return {
    createSocket(type: dgram.SocketType) {
      const socket = dgram.createSocket(type);
      state.socket = socket;
      const bind = socket.bind.bind(socket) as (port: number, address?: string) => dgram.Socket;
      (socket as unknown as { bind: (p: number, a?: string) => dgram.Socket }).bind = (_port: number, address?: string) => bind(bindPort, address);
      const on = socket.on.bind(socket);
      (socket as unknown as { on: typeof socket.on }).on = ((event: string, listener: (...args: unknown[]) => void) => {
        if (event !== 'message') return on(event, listener);
        return on('message', (...args: unknown[]) => {
          if (state.muted) return; // a silent agent: requests time out
          if (state.delayMs > 0) setTimeout(() => listener(...args), state.delayMs);
          else listener(...args);
        });
      }) as typeof socket.on;
      return socket;
    },
  };
}

export class SimulatedSwitch implements SimulatedSwitchState {
  readonly profile: SwitchProfile;
  readonly mac: string;
  readonly sysName: string;
  readonly host: string;
  /** The UDP port the agent listens on (known once started). */
  port = 0;
  /** Every PoE change, in order. */
  readonly timeline: PoeEvent[] = [];
  /** SNMP SET requests committed, for tests that check what a driver wrote. */
  readonly sets: Array<{ oid: string; value: number }> = [];
  private readonly poeOn = new Map<number, boolean>();
  private readonly powered: Set<number>;
  private readonly portCount: number;
  private readonly transport = { muted: false, delayMs: 0, socket: undefined as dgram.Socket | undefined };
  private agent?: { close(cb?: () => void): void; getMib(): SnmpMib; getAuthorizer(): SnmpAuthorizer };

  private constructor(readonly options: SimulatedSwitchOptions) {
    this.profile = options.profile ?? STANDARD_SWITCH_PROFILE;
    this.mac = options.mac.toLowerCase();
    macBytes(this.mac);
    this.sysName = options.sysName ?? `sim-${this.profile.name}-${this.mac.slice(-5).replace(':', '')}`;
    this.host = options.host ?? '127.0.0.1';
    this.portCount = options.ports ?? 8;
    const defaultPoe = Array.from({ length: this.portCount - (this.profile.uplinks ?? 0) }, (_, i) => i + 1);
    for (const p of options.poePorts ?? defaultPoe) this.poeOn.set(p, true);
    this.powered = new Set(options.poweredDevices ?? this.poeOn.keys());
  }

  /** Start a simulated switch; resolves once its agent listens. */
  static async start(options: SimulatedSwitchOptions): Promise<SimulatedSwitch> {
    const sw = new SimulatedSwitch(options);
    await sw.listen();
    return sw;
  }

  /** host:port, as given to SNMP command-line tools. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  get readCommunity(): string {
    return this.options.readCommunity ?? 'public';
  }

  get writeCommunity(): string {
    return this.options.writeCommunity ?? 'private';
  }

  /** PoE-capable ports. */
  get poePorts(): number[] {
    return [...this.poeOn.keys()].sort((a, b) => a - b);
  }

  isPoeOn(port: number): boolean {
    const on = this.poeOn.get(port);
    if (on === undefined) throw new Error(`port ${port} of ${this.sysName} has no PoE`);
    return on;
  }

  /** Front ports, 1..n. */
  get frontPorts(): number[] {
    return Array.from({ length: this.portCount }, (_, i) => i + 1);
  }

  get neighbors(): readonly SimulatedNeighbor[] {
    return this.options.neighbors ?? [];
  }

  hasPoweredDevice(port: number): boolean {
    return this.powered.has(port);
  }

  snmpSetPoe(oid: string, value: number, port: number, on: boolean | undefined): void {
    this.sets.push({ oid, value });
    if (on !== undefined) this.changePoe(port, on, 'snmp');
  }

  pethPsePortTable(name: string, entryOid: string): SimulatedTable {
    const detection = (p: number) => (!this.isPoeOn(p) ? 1 : this.powered.has(p) ? 3 : 2);
    return {
      name,
      entryOid,
      rows: this.poePorts.map((p) => [1, p]),
      columns: [
        {
          number: 3,
          type: 'integer',
          writable: true,
          dynamic: true,
          value: ([, p]) => (this.isPoeOn(p) ? 1 : 2),
          onSet: ([, p], value) => this.snmpSetPoe(`${entryOid}.3.1.${p}`, value, p, value === 1 ? true : value === 2 ? false : undefined),
        },
        { number: 6, type: 'integer', dynamic: true, value: ([, p]) => detection(p) },
      ],
    };
  }

  /** Change PoE from the test side (e.g. to start from an off port). */
  setPoe(port: number, on: boolean): void {
    this.changePoe(port, on, 'test');
  }

  /** Drop every request (an agent that times out) until unmute(). */
  mute(): void {
    this.transport.muted = true;
  }

  unmute(): void {
    this.transport.muted = false;
  }

  /** Answer every request after this delay (a slow agent). */
  setResponseDelay(ms: number): void {
    this.transport.delayMs = ms;
  }

  async close(): Promise<void> {
    const agent = this.agent;
    this.agent = undefined;
    if (!agent) return;
    await new Promise<void>((resolve) => {
      try {
        agent.close(() => resolve());
      } catch {
        resolve();
      }
      setTimeout(resolve, 500).unref();
    });
  }

  private changePoe(port: number, on: boolean, source: PoeEvent['source']): void {
    const was = this.isPoeOn(port);
    if (was === on) return;
    this.poeOn.set(port, on);
    this.timeline.push({ port, on, at: Date.now(), source });
  }

  private async listen(): Promise<void> {
    const agent = snmp.createAgent(
      {
        port: 161, // replaced by the socket wrapper's port
        address: this.host,
        accessControlModelType: snmp.AccessControlModelType.Simple,
        dgramModule: controllableDgram(this.options.port ?? 0, this.transport),
      },
      () => undefined,
    ) as unknown as { close(cb?: () => void): void; getMib(): SnmpMib; getAuthorizer(): SnmpAuthorizer };
    this.agent = agent;
    const auth = agent.getAuthorizer();
    auth.addCommunity(this.readCommunity);
    auth.addCommunity(this.writeCommunity);
    auth.getAccessControlModel().setCommunityAccess(this.readCommunity, snmp.AccessLevel.ReadOnly);
    auth.getAccessControlModel().setCommunityAccess(this.writeCommunity, snmp.AccessLevel.ReadWrite);
    this.populate(agent.getMib());
    const socket = this.transport.socket!;
    await new Promise<void>((resolve, reject) => {
      const fail = (e: Error) => reject(new Error(`simulated switch ${this.sysName} cannot listen on ${this.host}:${this.options.port ?? 0}: ${e.message}`));
      socket.once('error', fail);
      socket.once('listening', () => {
        socket.off('error', fail);
        resolve();
      });
    });
    this.port = socket.address().port;
  }

  private populate(mib: SnmpMib): void {
    const profile = this.profile;
    const macB = macBytes(this.mac);
    const front = this.frontPorts;
    scalar(mib, 'sysDescr', '1.3.6.1.2.1.1.1', T.OctetString, this.options.sysDescr ?? `WalT simulated ${profile.name} switch, ${this.portCount} ports`);
    scalar(mib, 'sysObjectID', '1.3.6.1.2.1.1.2', T.OID, this.options.sysObjectID ?? profile.sysObjectID);
    scalar(mib, 'sysName', '1.3.6.1.2.1.1.5', T.OctetString, this.sysName);
    // The last object of the MIB (as on real agents, the SNMP engine MIBs come last): the net-snmp
    // agent answers a GetNext past its last object with noSuchObject instead of endOfMibView.
    scalar(mib, 'snmpSetSerialNo', '1.3.6.1.6.3.1.1.6.1', T.Integer, 1);
    scalar(mib, 'dot1dBaseBridgeAddress', SIMULATED_OIDS.dot1dBaseBridgeAddress, T.OctetString, Buffer.from(macB));

    const isUplink = (p: number) => p > this.portCount - (profile.uplinks ?? 0);
    table(mib, {
      name: 'ifEntry',
      entryOid: SIMULATED_OIDS.ifEntry,
      rows: front.map((p) => [p]),
      columns: [
        { number: 1, type: 'integer', value: ([p]) => p },
        { number: 2, type: 'octet-string', value: ([p]) => `port ${p}` },
        { number: 3, type: 'integer', value: () => 6 },
        { number: 5, type: 'gauge', value: ([p]) => (isUplink(p) ? 4294967295 : 1e9) },
        { number: 6, type: 'octet-string', value: ([p]) => Buffer.from([0x02, macB[2], macB[3], macB[4], macB[5], p & 0xff]) },
      ],
    });
    table(mib, { name: 'ifXEntry', entryOid: SIMULATED_OIDS.ifXEntry, rows: front.map((p) => [p]), columns: [{ number: 1, type: 'octet-string', value: ([p]) => `ge-0/0/${p}` }] });
    table(mib, {
      name: 'dot1qTpFdbEntry',
      entryOid: SIMULATED_OIDS.dot1qTpFdbEntry,
      rows: (this.options.fdb ?? []).map((e) => [1, ...macBytes(e.mac)]),
      columns: [
        { number: 2, type: 'integer', value: (idx) => this.fdbPort(idx) },
        { number: 3, type: 'integer', value: () => 3 },
      ],
    });

    const neighbors = this.neighbors;
    if (this.options.lldp !== false && profile.lldpMib !== false) {
      scalar(mib, 'lldpLocChassisId', SIMULATED_OIDS.lldpLocChassisId, T.OctetString, Buffer.from(macB));
      table(mib, {
        name: 'lldpLocPortEntry',
        entryOid: SIMULATED_OIDS.lldpLocPortEntry,
        rows: front.map((p) => [p]),
        columns: [
          { number: 2, type: 'integer', value: () => 5 },
          { number: 3, type: 'octet-string', value: ([p]) => `gi0/${p}` },
        ],
      });
      table(mib, {
        name: 'lldpRemEntry',
        entryOid: SIMULATED_OIDS.lldpRemEntry,
        rows: neighbors.map((n, i) => [0, n.port, i + 1]),
        columns: [
          { number: 4, type: 'integer', value: () => 4 },
          { number: 5, type: 'octet-string', value: ([, , i]) => Buffer.from(macBytes(neighbors[i - 1].mac)) },
          { number: 9, type: 'octet-string', value: ([, , i]) => neighbors[i - 1].sysName ?? '' },
          { number: 12, type: 'octet-string', value: ([, , i]) => Buffer.from([neighbors[i - 1].bridge ? 0x20 : 0x80, 0]) },
        ],
      });
      const withIp = neighbors.map((n, i) => ({ n, i })).filter(({ n }) => n.ip);
      table(mib, {
        name: 'lldpRemManAddrEntry',
        entryOid: SIMULATED_OIDS.lldpRemManAddrEntry,
        rows: withIp.map(({ n, i }) => [0, n.port, i + 1, 1, 4, ...n.ip!.split('.').map(Number)]),
        columns: [{ number: 3, type: 'integer', value: () => 2 }],
      });
    }
    if (profile.pethMib !== false) table(mib, this.pethPsePortTable('pethPsePortEntry', SIMULATED_OIDS.pethPsePortEntry));
    for (const vendorTable of profile.tables?.(this) ?? []) {
      // A switch without LLDP (options.lldp false) serves no vendor LLDP table either.
      if (this.options.lldp === false && /lldp/i.test(vendorTable.name)) continue;
      table(mib, vendorTable);
    }
  }

  private fdbPort(index: number[]): number {
    const mac = index
      .slice(1)
      .map((b) => b.toString(16).padStart(2, '0'))
      .join(':');
    return (this.options.fdb ?? []).find((e) => e.mac.toLowerCase() === mac)?.port ?? 0;
  }
}

/** A UDP port that receives SNMP requests and never answers: a switch that is down, or filtered. */
export async function startSilentAgent(host = '127.0.0.1'): Promise<{ host: string; port: number; close(): Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, () => resolve());
  });
  return { host, port: socket.address().port, close: () => new Promise<void>((r) => socket.close(() => r())) };
}

// --- net-snmp MIB plumbing --------------------------------------------------------------------

interface SnmpMib {
  registerProvider(p: unknown): void;
  setScalarValue(name: string, value: unknown): void;
  addTableRow(name: string, row: unknown[]): void;
}

interface SnmpAuthorizer {
  addCommunity(c: string): void;
  getAccessControlModel(): { setCommunityAccess(c: string, level: number): void };
}

interface MibRequest {
  oid: string;
  operation: number;
  setValue?: unknown;
  commitSet?: boolean;
  instanceNode: { value: unknown };
  done(error?: { errorStatus: number }): void;
}

function scalar(mib: SnmpMib, name: string, oid: string, type: number, value: unknown): void {
  mib.registerProvider({ name, type: snmp.MibProviderType.Scalar, oid, scalarType: type, maxAccess: RO });
  mib.setScalarValue(name, value);
}

/**
 * A table whose index is a list of integers (every SMI index is one on the wire: a MAC is 6
 * sub-identifiers, an IPv4 address 4, a length-prefixed string its length then its bytes). The index
 * parts are not-accessible columns, so walks return only the data columns, as a real agent does.
 */
function table(mib: SnmpMib, { name, entryOid, rows, columns }: SimulatedTable): void {
  if (!rows.length) return;
  const indexLength = rows[0].length;
  const indexColumns = Array.from({ length: indexLength }, (_, i) => ({ number: 1000 + i, name: `${name}Idx${i}`, type: T.Integer, maxAccess: NA }));
  const byNumber = new Map<number, SimulatedColumn>(columns.map((c) => [c.number, c]));
  mib.registerProvider({
    name,
    type: snmp.MibProviderType.Table,
    oid: entryOid,
    maxAccess: NA,
    tableColumns: [
      ...indexColumns,
      ...columns.map((c) => ({ number: c.number, name: `${name}C${c.number}`, type: COLUMN_TYPES[c.type], maxAccess: c.writable ? RW : RO })),
    ],
    tableIndex: indexColumns.map((c) => ({ columnName: c.name })),
    handler(req: MibRequest) {
      const rest = req.oid.slice(entryOid.length + 1).split('.').map(Number);
      const column = byNumber.get(rest[0]);
      const index = rest.slice(1);
      if (column && req.operation === snmp.PduType.SetRequest) {
        if (req.commitSet && column.onSet) column.onSet(index, Number(req.setValue));
      } else if (column?.dynamic) {
        req.instanceNode.value = column.value(index);
      }
      req.done();
    },
  });
  for (const index of rows) mib.addTableRow(name, [...index, ...columns.map((c) => c.value(index))]);
}
