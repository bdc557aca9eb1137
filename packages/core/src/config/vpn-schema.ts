import { checkKnownKeys, isMapping, shown, type Problem } from './config-problems.js';
import type { VpnConfig } from './server-config.js';

const BOOT_MODES = ['permissive', 'enforced'] as const;
const ENTRYPOINT = /^[a-zA-Z0-9.-]+(:\d{1,5})?$/;

/** The `vpn:` section: off by default; when enabled, both entrypoints and the boot mode are required. */
export function parseVpn(value: unknown, p: Problem): VpnConfig {
  if (value === undefined || value === null) return { enabled: false };
  if (!isMapping(value)) {
    p('vpn', 'expected a mapping (e.g. "vpn: {enabled: false}")');
    return { enabled: false };
  }
  checkKnownKeys('vpn', value, ['enabled', 'ssh-entrypoint', 'http-entrypoint', 'boot-mode'], p);
  const enabled = value.enabled ?? false;
  if (typeof enabled !== 'boolean') p('vpn.enabled', `invalid value ${shown(enabled)} (expected true or false)`);
  const vpn: VpnConfig = { enabled: enabled === true };
  for (const k of ['ssh-entrypoint', 'http-entrypoint'] as const) {
    const v = value[k];
    if (v === undefined || v === null) {
      if (enabled === true) p(`vpn.${k}`, `missing (required when vpn.enabled is true: the host name or IP of the ${k === 'ssh-entrypoint' ? 'SSH' : 'HTTP'} entrypoint)`);
    } else if (typeof v !== 'string' || !ENTRYPOINT.test(v)) {
      p(`vpn.${k}`, `invalid value ${shown(v)} (expected a host name or IP, optionally with :port)`);
    } else vpn[k] = v;
  }
  const mode = value['boot-mode'];
  if (mode === undefined || mode === null) {
    if (enabled === true) p('vpn.boot-mode', 'missing (required when vpn.enabled is true: permissive or enforced)');
  } else if (typeof mode !== 'string' || !(BOOT_MODES as readonly string[]).includes(mode)) {
    p('vpn.boot-mode', `invalid value ${shown(mode)} (expected permissive or enforced)`);
  } else vpn['boot-mode'] = mode as VpnConfig['boot-mode'];
  return vpn;
}
