/** The forms a WalT server address takes, as said to the user when one is malformed. */
export const SERVER_ADDRESS_FORMS = "<host> or <host>:<port> (port 1-65535, default 12345), e.g. 192.168.152.1 or walt-server:12345";

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function validHost(host: string): boolean {
  if (host.startsWith('[') && host.endsWith(']')) return /^[0-9A-Fa-f:.]+$/.test(host.slice(1, -1)) && host.includes(':');
  // All digits and dots: an IPv4 address or nothing (999.1.1.1 is not a host name).
  if (/^[\d.]+$/.test(host)) return IPV4.test(host);
  return HOSTNAME.test(host);
}

/** Loopback hosts: the server answers them in plain HTTP (nothing leaves the machine). */
export function isLoopbackHost(host: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(host) || host === 'localhost' || host === '[::1]';
}

/**
 * "host", "host:port", "[v6]:port" or "http(s)://host[:port]" -> the API base URL (default port
 * 12345); undefined when the text is none of these (so it can be called invalid, not unreachable).
 * Without a scheme: http on loopback, https anywhere else (the server's other listeners are HTTPS).
 */
export function serverBaseUrlOf(server: string): string | undefined {
  const m = /^(?:(https?):\/\/)?(\[[^\]]*\]|[^:/[\]]+)(?::(\d{1,5}))?\/*$/.exec(server.trim());
  if (!m) return undefined;
  const [, scheme, host, port] = m;
  if (!validHost(host)) return undefined;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return undefined;
  if (scheme) return `${scheme}://${host}${port ? `:${port}` : ''}`;
  return `${isLoopbackHost(host) ? 'http' : 'https'}://${host}:${port ?? '12345'}`;
}
