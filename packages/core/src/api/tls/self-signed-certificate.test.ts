import { X509Certificate } from 'node:crypto';
import { createServer, connect, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { certificateFingerprint, selfSignedCertificate } from './self-signed-certificate.js';

describe('selfSignedCertificate', () => {
  it('writes a certificate OpenSSL reads, self-signed with its key, that serves TLS', async () => {
    const { keyPem, certPem } = selfSignedCertificate('walt-server test');
    const cert = new X509Certificate(certPem);
    expect(cert.subject).toBe('CN=walt-server test');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(new Date(cert.validTo).getUTCFullYear()).toBe(9999);

    const server = createServer({ key: keyPem, cert: certPem }, (s) => s.end('hello'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const socket: TLSSocket = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, rejectUnauthorized: false });
      const text = await new Promise<string>((resolve, reject) => {
        let got = '';
        socket.on('data', (d) => (got += d));
        socket.on('end', () => resolve(got));
        socket.on('error', reject);
      });
      expect(text).toBe('hello');
    } finally {
      server.close();
    }
  });

  it('makes a new key and serial each time: the fingerprints differ', () => {
    const a = selfSignedCertificate('x').certPem;
    const b = selfSignedCertificate('x').certPem;
    expect(certificateFingerprint(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(certificateFingerprint(a)).not.toBe(certificateFingerprint(b));
  });
});
