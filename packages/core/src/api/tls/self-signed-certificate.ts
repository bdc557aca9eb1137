import { createHash, generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';

/**
 * A self-signed X.509 v3 certificate for the API's HTTPS listeners, written with node:crypto and a
 * few lines of DER (no X.509 library: the client pins the certificate's fingerprint, so the
 * certificate only has to be well-formed; names and expiry are informative). Key: ECDSA P-256.
 */
export function selfSignedCertificate(commonName: string): { keyPem: string; certPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x01; // positive, no leading zero byte
  const name = seq(set(seq(oid([2, 5, 4, 3]), tlv(0x0c, Buffer.from(commonName, 'utf8')))));
  const algorithm = seq(oid([1, 2, 840, 10045, 4, 3, 2])); // ecdsa-with-SHA256
  const notBefore = new Date(Date.now() - 24 * 3600_000);
  const tbs = seq(
    tlv(0xa0, integer(Buffer.from([2]))), // v3
    integer(serial),
    algorithm,
    name,
    seq(time(notBefore), tlv(0x18, Buffer.from('99991231235959Z'))), // RFC 5280: no well-defined expiry
    name,
    spki,
  );
  const signature = sign('sha256', tbs, privateKey); // DER ECDSA-Sig-Value
  const der = seq(tbs, algorithm, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const certPem = pem('CERTIFICATE', der);
  new X509Certificate(certPem); // throws if malformed: never write a certificate OpenSSL cannot read
  return { keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, certPem };
}

/** The certificate's identity as the client pins it: SHA-256 of its DER, lowercase hex. */
export function certificateFingerprint(certPem: string): string {
  return createHash('sha256').update(new X509Certificate(certPem).raw).digest('hex');
}

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const integer = (bytes: Buffer) => tlv(0x02, bytes);

function oid(arcs: number[]): Buffer {
  const bytes = [40 * arcs[0] + arcs[1]];
  for (const arc of arcs.slice(2)) {
    const base128 = [arc & 0x7f];
    for (let v = arc >> 7; v > 0; v >>= 7) base128.unshift((v & 0x7f) | 0x80);
    bytes.push(...base128);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime (YYMMDDHHMMSSZ), as RFC 5280 asks for dates before 2050. */
function time(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  return tlv(0x17, Buffer.from(text));
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
