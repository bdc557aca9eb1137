import type { Agent } from 'node:https';
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

/**
 * A TLS connection whose certificate matches the pin, checked once the handshake is done and before
 * the caller writes anything (so neither the request nor the token reaches another server).
 */
export async function connectPinned(host: string, port: number, pin: CertificatePin): Promise<TLSSocket> {
  const [{ connect }, { createHash }] = await Promise.all([import('node:tls'), import('node:crypto')]);
  const bare = host.replace(/^\[|\]$/g, '');
  const socket = connect({ host: bare, port, servername: /^[\d.:]+$/.test(bare) ? undefined : bare, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  const actual = createHash('sha256').update(socket.getPeerCertificate().raw).digest('hex');
  const expected = pin.expected();
  if (expected === undefined) pin.firstUse(actual);
  else if (expected !== actual) {
    socket.destroy();
    throw pin.changed(expected, actual);
  }
  return socket;
}

/**
 * An https agent whose connections are pinned and kept alive: the commands that make several
 * requests (version check, then the command) pay one TCP and TLS handshake, not one per request.
 * Idle sockets are unref'd by the agent, so they never keep walt running.
 */
export async function pinnedAgent(pin: CertificatePin): Promise<Agent> {
  const https = await import('node:https');
  const agent = new https.Agent({ keepAlive: true, maxSockets: 4 });
  (agent as unknown as { createConnection: unknown }).createConnection = (options: { host?: string; port?: number | string }, done: (e: Error | null, s?: TLSSocket) => void) => {
    connectPinned(options.host ?? 'localhost', Number(options.port ?? 443), pin).then(
      (socket) => done(null, socket),
      (e: Error) => done(e),
    );
    return undefined;
  };
  return agent;
}
