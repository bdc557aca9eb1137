import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import type { Readable, Writable } from 'node:stream';

/**
 * A minimal NFSv3 client over TCP (ONC RPC, AUTH_SYS as root): MOUNT's MNT, LOOKUP and READ. Unlike
 * libnfs' nfs-cat, which mounts afresh each time, it keeps the file handles it got, as a node's
 * kernel does with its NFS root: tests see what happens to those handles when exports change.
 */

const MOUNT_PROGRAM = 100005;
const NFS_PROGRAM = 100003;

/** An NFSv3 status other than NFS3_OK (70: NFS3ERR_STALE, 2: NFS3ERR_NOENT, 13: NFS3ERR_ACCES). */
export class Nfs3Error extends Error {
  constructor(
    readonly status: number,
    what: string,
  ) {
    super(`${what}: NFS status ${status}${status === 70 ? ' (stale file handle)' : ''}`);
  }
}

class Xdr {
  private readonly parts: Buffer[] = [];
  u32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n >>> 0);
    this.parts.push(b);
    return this;
  }
  u64(n: number): this {
    return this.u32(Math.floor(n / 2 ** 32)).u32(n % 2 ** 32);
  }
  opaque(data: Buffer): this {
    this.u32(data.length);
    this.parts.push(data, Buffer.alloc((4 - (data.length % 4)) % 4));
    return this;
  }
  string(s: string): this {
    return this.opaque(Buffer.from(s));
  }
  buffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

class Reader {
  private off = 0;
  constructor(private readonly b: Buffer) {}
  u32(): number {
    const v = this.b.readUInt32BE(this.off);
    this.off += 4;
    return v;
  }
  opaque(): Buffer {
    const n = this.u32();
    const v = this.b.subarray(this.off, this.off + n);
    this.off += n + ((4 - (n % 4)) % 4);
    return v;
  }
  skip(n: number): void {
    this.off += n;
  }
  /** post_op_attr: a bool, then fattr3 (84 bytes) when set. */
  postOpAttr(): void {
    if (this.u32()) this.skip(84);
  }
}

/** One TCP connection to one RPC program; calls are made one at a time. */
class RpcConnection {
  private xid = Math.floor(Math.random() * 2 ** 31);
  private pending = Buffer.alloc(0);
  private waiting: { resolve: (b: Buffer) => void; reject: (e: Error) => void } | undefined;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    private readonly end: () => void,
  ) {
    input.on('data', (d: Buffer) => {
      this.pending = Buffer.concat([this.pending, d]);
      this.drain();
    });
    input.on('error', (e) => this.fail(e));
    input.on('close', () => this.fail(new Error('RPC connection closed')));
    output.on('error', (e) => this.fail(e));
  }

  static open(host: string, port: number): Promise<RpcConnection> {
    return new Promise((resolve, reject) => {
      const s = connect({ host, port }, () => resolve(new RpcConnection(s, s, () => s.destroy())));
      s.once('error', reject);
    });
  }

  /** Over the stdio of a process that pipes to the server (e.g. run in the server's network namespace). */
  static overProcess(child: ChildProcess): RpcConnection {
    return new RpcConnection(child.stdout!, child.stdin!, () => child.kill());
  }

  private fail(e: Error): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(e);
  }

  private drain(): void {
    // One record (single fragment: the last-fragment bit is set on every reply these servers send).
    if (this.pending.length < 4) return;
    const len = this.pending.readUInt32BE(0) & 0x7fffffff;
    if (this.pending.length < 4 + len) return;
    const record = this.pending.subarray(4, 4 + len);
    this.pending = this.pending.subarray(4 + len);
    const w = this.waiting;
    this.waiting = undefined;
    w?.resolve(record);
  }

  async call(program: number, proc: number, args: Buffer, timeoutMs = 10_000): Promise<Reader> {
    const xid = ++this.xid;
    const cred = new Xdr().u32(0).string('walt-test').u32(0).u32(0).u32(0).buffer();
    const body = new Xdr().u32(xid).u32(0).u32(2).u32(program).u32(3).u32(proc).u32(1).opaque(cred).u32(0).u32(0).buffer();
    const msg = Buffer.concat([body, args]);
    const mark = Buffer.alloc(4);
    mark.writeUInt32BE((0x80000000 | msg.length) >>> 0);
    const reply = new Promise<Buffer>((resolve, reject) => {
      this.waiting = { resolve, reject };
      setTimeout(() => reject(new Error(`RPC ${program}/${proc}: no reply in ${timeoutMs} ms`)), timeoutMs).unref();
    });
    this.output.write(Buffer.concat([mark, msg]));
    const r = new Reader(await reply);
    if (r.u32() !== xid) throw new Error('RPC reply for another call');
    if (r.u32() !== 1) throw new Error('RPC: not a reply');
    if (r.u32() !== 0) throw new Error('RPC call denied');
    r.u32();
    r.opaque(); // verifier
    const accept = r.u32();
    if (accept !== 0) throw new Error(`RPC call not accepted (accept_stat ${accept})`);
    return r;
  }

  close(): void {
    this.end();
  }
}

export class Nfs3Client {
  private constructor(
    private readonly mount: RpcConnection,
    private readonly nfs: RpcConnection,
  ) {}

  /**
   * Connect to the MOUNT and NFS services (ports given: no portmapper needed), at a host, or through
   * `pipe(port)`: a process whose stdio is a byte pipe to that port.
   */
  static async connect(to: string | ((port: number) => ChildProcess), nfsPort: number, mountPort: number): Promise<Nfs3Client> {
    const open = (port: number) => (typeof to === 'string' ? RpcConnection.open(to, port) : Promise.resolve(RpcConnection.overProcess(to(port))));
    const mount = await open(mountPort);
    try {
      return new Nfs3Client(mount, await open(nfsPort));
    } catch (e) {
      mount.close();
      throw e;
    }
  }

  /** MNT: the root file handle of the export at `path`. */
  async mnt(path: string): Promise<Buffer> {
    const r = await this.mount.call(MOUNT_PROGRAM, 1, new Xdr().string(path).buffer());
    const status = r.u32();
    if (status !== 0) throw new Nfs3Error(status, `mount ${path}`);
    return Buffer.from(r.opaque());
  }

  async lookup(dir: Buffer, name: string): Promise<Buffer> {
    const r = await this.nfs.call(NFS_PROGRAM, 3, new Xdr().opaque(dir).string(name).buffer());
    const status = r.u32();
    if (status !== 0) throw new Nfs3Error(status, `lookup ${name}`);
    return Buffer.from(r.opaque());
  }

  /** The handle of a relative path, one LOOKUP per component. */
  async walk(root: Buffer, path: string): Promise<Buffer> {
    let fh = root;
    for (const part of path.split('/').filter(Boolean)) fh = await this.lookup(fh, part);
    return fh;
  }

  /** READ the first `count` bytes of a file. */
  async read(fh: Buffer, count = 65536): Promise<string> {
    const r = await this.nfs.call(NFS_PROGRAM, 6, new Xdr().opaque(fh).u64(0).u32(count).buffer());
    const status = r.u32();
    if (status !== 0) throw new Nfs3Error(status, 'read');
    r.postOpAttr();
    r.u32(); // count
    r.u32(); // eof
    return r.opaque().toString('utf8');
  }

  close(): void {
    this.mount.close();
    this.nfs.close();
  }
}
