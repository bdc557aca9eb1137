import type { TLSSocket } from 'node:tls';

/**
 * How the client trusts a server's self-signed certificate, as ssh trusts host keys: the
 * fingerprint seen on first use is stored; later it must be the same.
 */
export interface CertificatePin {
  /** The stored fingerprint (SHA-256 hex of the certificate), or undefined on first use. */
  expected(): string | undefined;
  /** First use: store it (and say so). */
  firstUse(fingerprint: string): void;
  /** A different certificate: the error to throw (the connection is closed, nothing was sent). */
  changed(expected: string, actual: string): Error;
}

/** A TLS connection whose certificate matches the pin; without a pin, a plain TLS check (a real CA). */
export async function connectPinned(target: URL, pin: CertificatePin | undefined, signal?: AbortSignal): Promise<TLSSocket> {
  const [{ connect }, { createHash }] = await Promise.all([import('node:tls'), import('node:crypto')]);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const socket = connect({ host, port: Number(target.port || 443), servername: /^[\d.:]+$/.test(host) ? undefined : host, rejectUnauthorized: !pin, ALPNProtocols: ['http/1.1'] });
  const abort = () => socket.destroy(signal?.reason instanceof Error ? signal.reason : Object.assign(new Error('aborted'), { name: 'AbortError' }));
  signal?.addEventListener('abort', abort, { once: true });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
  } finally {
    signal?.removeEventListener('abort', abort);
  }
  if (!pin) return socket;
  const raw = socket.getPeerCertificate().raw;
  const actual = createHash('sha256').update(raw).digest('hex');
  const expected = pin.expected();
  if (expected === undefined) pin.firstUse(actual);
  else if (expected !== actual) {
    socket.destroy();
    throw pin.changed(expected, actual);
  }
  return socket;
}
