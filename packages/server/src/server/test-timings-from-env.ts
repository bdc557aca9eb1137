import type { ServerStartOptions } from '@walt/core';

const positive = (text: string | undefined): number | undefined => {
  const n = Number(text);
  return text !== undefined && Number.isFinite(n) && n > 0 ? n : undefined;
};

/**
 * Timings and addresses the integration tests shorten or redirect when they run `walt-server start`
 * as a process. Read here, at the edge, and handed to the server as options (the server reads no
 * environment variable itself):
 * - WALT_SERVER_SNMP_AGENT=host:port: the server's own LLDP query goes there instead of port 161;
 * - WALT_RESCAN_DEVICE_TIMEOUT_MS: per-device limit of `walt device rescan`;
 * - WALT_POE_REBOOT_DELAY_MS (at least 1000): how long a PoE reboot keeps the port off;
 * - WALT_POWERSAVE_TIMEOUT (seconds): idle time before powersave.
 */
export function switchesOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): NonNullable<ServerStartOptions['switches']> {
  const agent = env.WALT_SERVER_SNMP_AGENT?.match(/^([\d.]+):(\d+)$/);
  const poeOff = positive(env.WALT_POE_REBOOT_DELAY_MS);
  const powersave = positive(env.WALT_POWERSAVE_TIMEOUT);
  return {
    ...(agent ? { serverSnmpAgent: { ip: agent[1], port: Number(agent[2]) } } : {}),
    ...(positive(env.WALT_RESCAN_DEVICE_TIMEOUT_MS) ? { rescanDeviceTimeoutMs: positive(env.WALT_RESCAN_DEVICE_TIMEOUT_MS) } : {}),
    ...(poeOff !== undefined && poeOff >= 1000 ? { poeRebootDelayMs: poeOff } : {}),
    ...(powersave ? { powersaveTimeoutMs: powersave * 1000 } : {}),
  };
}
