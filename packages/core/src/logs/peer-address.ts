/** Is this socket peer the server's own host (a local tool)? */
export function isLoopback(address: string): boolean {
  const a = address.replace(/^::ffff:/, '');
  return a.startsWith('127.') || a === '::1';
}

/** The IPv4 form of a socket peer address (`::ffff:a.b.c.d` -> `a.b.c.d`). */
export function peerIp(address: string | undefined): string {
  return (address ?? '').replace(/^::ffff:/, '');
}
