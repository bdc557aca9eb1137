import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { certificateFingerprint, selfSignedCertificate } from './self-signed-certificate.js';

export interface ServerCertificate {
  keyPem: string;
  certPem: string;
  /** SHA-256 of the certificate (hex): what clients pin, and the server's identity for their tokens. */
  fingerprint: string;
}

/**
 * The API's TLS certificate, `<data dir>/tls/{key,cert}.pem`: made once, at first start, and kept
 * (clients pin it; a new one makes every client refuse the server until its users say otherwise).
 */
export function loadOrCreateServerCertificate(dataDir: string): ServerCertificate {
  const dir = join(dataDir, 'tls');
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  if (!existsSync(keyFile) || !existsSync(certFile)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const made = selfSignedCertificate(`walt-server ${hostname()}`.slice(0, 64));
    // Written aside then renamed: a crash never leaves a key without its certificate.
    writeFileSync(`${keyFile}.tmp`, made.keyPem, { mode: 0o600 });
    writeFileSync(`${certFile}.tmp`, made.certPem, { mode: 0o644 });
    renameSync(`${keyFile}.tmp`, keyFile);
    renameSync(`${certFile}.tmp`, certFile);
  }
  const keyPem = readFileSync(keyFile, 'utf8');
  const certPem = readFileSync(certFile, 'utf8');
  return { keyPem, certPem, fingerprint: certificateFingerprint(certPem) };
}
