import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { SettingsRepository } from '../store/settings-repository.js';

/**
 * The server's MAC on walt-net: the interface's own when walt-net has a raw device, else a persistent
 * random locally administered one (52:54:00:[00-7f]:xx:xx, as the original's bridge MAC).
 */
export function serverMac(rawDevice: string | null, settings: SettingsRepository): string {
  if (rawDevice) {
    try {
      const mac = readFileSync(`/sys/class/net/${rawDevice}/address`, 'utf8').trim().toLowerCase();
      if (/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(mac) && mac !== '00:00:00:00:00:00') return mac;
    } catch {
      /* interface missing: fall back to the persistent virtual MAC */
    }
  }
  let mac = settings.get('walt-net.mac');
  if (!mac) {
    const b = randomBytes(3);
    mac = `52:54:00:${(b[0] & 0x7f).toString(16).padStart(2, '0')}:${b[1].toString(16).padStart(2, '0')}:${b[2].toString(16).padStart(2, '0')}`;
    settings.set('walt-net.mac', mac);
  }
  return mac;
}
