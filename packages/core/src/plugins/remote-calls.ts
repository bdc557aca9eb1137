/**
 * Calls across the boundary between the server and a plugin's process. Both sides run one of these
 * over the IPC channel. Data is copied (structured clone: Maps, Buffers, Uint8Arrays survive); a
 * function found in a value is replaced by a reference, and the other side gets an async proxy
 * that calls it remotely (a plugin's hooks for the server; the SNMP session or a virtual node's
 * session for the plugin). A proxy the receiver no longer holds is released (FinalizationRegistry),
 * so per-call callbacks do not pile up.
 */

const FN = '\u0000walt-fn';

/** A message of the call protocol (other messages share the channel and are ignored here). */
export type CallMessage =
  | { t: 'call'; id: number; fn: number; args: unknown[] }
  | { t: 'result'; id: number; ok: true; value: unknown }
  | { t: 'result'; id: number; ok: false; error: { message: string; name: string; kind?: unknown } }
  | { t: 'release'; fn: number };

export interface RemoteCallsOptions {
  send(message: CallMessage): void;
  /** How long a remote call may take before it is rejected (ms). */
  timeoutMs: number;
  /** A call's error message when it timed out, e.g. "walt-plugin-x did not answer within 30000 ms". */
  timeoutMessage(): string;
  /** Told about every timed-out call (the server checks whether the plugin still answers). */
  onTimeout?(): void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class RemoteCalls {
  private readonly local = new Map<number, (...args: unknown[]) => unknown>();
  private readonly localIds = new WeakMap<object, number>();
  private readonly pending = new Map<number, Pending>();
  private nextFn = 1;
  private nextCall = 1;
  private closedWith: Error | undefined;
  private readonly released = new FinalizationRegistry<number>((fn) => this.safeSend({ t: 'release', fn }));

  constructor(private readonly options: RemoteCallsOptions) {}

  /** Copy a value for the other side, functions replaced by references. */
  marshal(value: unknown, seen = new Map<object, unknown>()): unknown {
    if (typeof value === 'function') return { [FN]: this.refer(value as (...args: unknown[]) => unknown) };
    if (typeof value !== 'object' || value === null) return value;
    if (ArrayBuffer.isView(value) || value instanceof Map || value instanceof Set || value instanceof Date || value instanceof RegExp) return value;
    if (value instanceof Error) return { message: value.message, name: value.name };
    const known = seen.get(value);
    if (known) return known;
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      seen.set(value, out);
      for (const v of value) out.push(this.marshal(v, seen));
      return out;
    }
    const out: Record<string, unknown> = {};
    seen.set(value, out);
    for (const [k, v] of Object.entries(value)) out[k] = this.marshal(v, seen);
    // Methods of a class instance (an SNMP session) live on its prototype.
    for (let proto = Object.getPrototypeOf(value); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
      for (const k of Object.getOwnPropertyNames(proto)) {
        if (k === 'constructor' || k in out) continue;
        const d = Object.getOwnPropertyDescriptor(proto, k);
        if (typeof d?.value === 'function') out[k] = this.marshal((d.value as (...a: unknown[]) => unknown).bind(value), seen);
      }
    }
    return out;
  }

  /** Rebuild a value from the other side, references turned into async proxies. */
  unmarshal(value: unknown): unknown {
    if (typeof value !== 'object' || value === null) return value;
    if (ArrayBuffer.isView(value) || value instanceof Map || value instanceof Set || value instanceof Date || value instanceof RegExp) return value;
    if (Array.isArray(value)) return value.map((v) => this.unmarshal(v));
    const ref = (value as Record<string, unknown>)[FN];
    if (typeof ref === 'number') return this.proxy(ref);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = this.unmarshal(v);
    return out;
  }

  /** Handle a message of the call protocol; returns false for other messages. */
  handle(message: unknown): boolean {
    const m = message as CallMessage;
    switch (m?.t) {
      case 'call':
        void this.serve(m);
        return true;
      case 'result': {
        const p = this.pending.get(m.id);
        if (!p) return true;
        this.pending.delete(m.id);
        clearTimeout(p.timer);
        if (m.ok) p.resolve(this.unmarshal(m.value));
        else p.reject(Object.assign(new Error(m.error.message), { name: m.error.name }, m.error.kind === undefined ? {} : { kind: m.error.kind }));
        return true;
      }
      case 'release':
        this.local.delete(m.fn);
        return true;
      default:
        return false;
    }
  }

  /** The other side is gone: every pending and later call fails with this error. */
  close(error: Error): void {
    this.closedWith ??= error;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(error);
      this.pending.delete(id);
    }
    this.local.clear();
  }

  private refer(fn: (...args: unknown[]) => unknown): number {
    const known = this.localIds.get(fn);
    if (known !== undefined && this.local.has(known)) return known;
    const id = this.nextFn++;
    this.local.set(id, fn);
    this.localIds.set(fn, id);
    return id;
  }

  private proxy(fn: number): (...args: unknown[]) => Promise<unknown> {
    const call = (...args: unknown[]): Promise<unknown> => {
      const p = this.call(fn, args);
      // A proxy may stand for a void hook nobody awaits (input, output): its failure is reported by
      // the caller that awaits it, never as an unhandled rejection that would stop the server.
      p.catch(() => undefined);
      return p;
    };
    this.released.register(call, fn);
    return call;
  }

  private call(fn: number, args: unknown[]): Promise<unknown> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextCall++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(this.options.timeoutMessage()));
        this.options.onTimeout?.();
      }, this.options.timeoutMs);
      timer.unref();
      this.pending.set(id, { resolve, reject, timer });
      try {
        this.options.send({ t: 'call', id, fn, args: args.map((a) => this.marshal(a)) });
      } catch (e) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  private async serve(m: Extract<CallMessage, { t: 'call' }>): Promise<void> {
    const fn = this.local.get(m.fn);
    try {
      if (!fn) throw new Error('the function called is no longer available');
      const value = await fn(...m.args.map((a) => this.unmarshal(a)));
      this.safeSend({ t: 'result', id: m.id, ok: true, value: this.marshal(value) });
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      const kind = (err as { kind?: unknown }).kind;
      this.safeSend({ t: 'result', id: m.id, ok: false, error: { message: err.message, name: err.name, ...(typeof kind === 'string' ? { kind } : {}) } });
    }
  }

  private safeSend(message: CallMessage): void {
    try {
      this.options.send(message);
    } catch {
      /* the other side is gone; close() tells the callers */
    }
  }
}
