/**
 * IPv4 addresses as unsigned 32-bit numbers (the DHCP header's address fields).
 * Dotted-quad only, as node:net's isIPv4 accepts: four decimal parts of 0-255, no leading zero, no
 * sign or space. Parsed by hand: the DHCP server converts addresses several times per client, and
 * isIPv4's regular expression plus split/reduce was the largest of our own functions in a storm.
 */
export function ipToInt(ip: string): number {
  let result = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return invalid(ip);
      result = result * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return invalid(ip); // a leading zero
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return invalid(ip);
    } else return invalid(ip);
  }
  if (dots !== 3 || digits === 0) return invalid(ip);
  return (result * 256 + part) >>> 0;
}

function invalid(ip: string): never {
  throw new Error(`invalid IPv4 address '${ip}'`);
}

export function intToIp(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}
