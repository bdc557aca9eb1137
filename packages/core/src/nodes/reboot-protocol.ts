import { Socket } from 'node:net';

/** The node's TCP service (walt-net-service) that soft reboots it. */
export const NODE_SERVICE_PORT = 12346;
export const SOFT_REBOOT_TIMEOUT_MS = 15_000;

/**
 * Soft reboot: connect to <ip>:12346, send `MODE single\nREBOOT\n`, read one line: `OK...` is
 * success, `KO <msg>` an error. Resolves with undefined on success, else the reason (the original's
 * wording: "Connection timed out", "Connection refused", "Timed out waiting for reply"...).
 */
export function softReboot(ip: string, options: { port?: number; timeoutMs?: number } = {}): Promise<string | undefined> {
  return nodeServiceRequest(ip, 'REBOOT', options);
}

/** One request of the node's net service (REBOOT, BLINK 1, BLINK 0, PING), answered `OK` or `KO <why>`. */
export function nodeServiceRequest(ip: string, command: string, options: { port?: number; timeoutMs?: number } = {}): Promise<string | undefined> {
  const timeoutMs = options.timeoutMs ?? SOFT_REBOOT_TIMEOUT_MS;
  return new Promise((resolve) => {
    const socket = new Socket();
    let connected = false;
    let buffer = '';
    let done = false;
    const finish = (result: string | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish(connected ? 'Timed out waiting for reply' : 'Connection timed out'), timeoutMs);
    socket.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED') finish('Connection refused');
      else if (connected) finish('Broken connection');
      else finish(e.code === 'ETIMEDOUT' ? 'Connection timed out' : `Connection failed (${e.code ?? e.message})`);
    });
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      const nl = buffer.indexOf('\n');
      if (nl < 0 && buffer.length < 4096) return;
      const line = (nl < 0 ? buffer : buffer.slice(0, nl)).trim();
      if (line.startsWith('OK')) finish(undefined);
      else if (line.startsWith('KO')) finish(line.slice(2).trim() || 'Node did not respond properly');
      else finish('Node did not respond properly');
    });
    socket.once('close', () => finish(connected ? 'Broken connection' : 'Connection failed'));
    socket.connect(options.port ?? NODE_SERVICE_PORT, ip, () => {
      connected = true;
      socket.write(`MODE single\n${command}\n`);
    });
  });
}
