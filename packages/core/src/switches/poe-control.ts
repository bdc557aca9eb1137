import type { SwitchDriver } from '@walt/sdk';
import type { Device } from '../devices/device.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import type { LogService } from '../logs/log-service.js';
import type { SwitchesRepository } from '../store/switches-repository.js';
import type { SwitchDrivers } from './switch-drivers.js';
import { SwitchSession } from './switch-session.js';

export type PoeOffReason = 'hard-reboot' | 'powersave';

/** Where a node is plugged: its switch and the switch port (from the last topology scan). */
export interface NodePosition {
  switchDevice: Device;
  port: number;
}

/**
 * Switch PoE on switch ports, recording the ports WalT turned off (table poeoff) so they are turned
 * back on at startup and on rescan, whatever happened in between.
 */
export class PoeControl {
  constructor(
    private readonly drivers: SwitchDrivers,
    private readonly repo: SwitchesRepository,
    private readonly registry: DeviceRegistry,
    private readonly logs: LogService,
    private readonly standard: () => SwitchDriver | undefined,
  ) {}

  open(device: Device): Promise<SwitchSession> {
    return SwitchSession.open(this.drivers, device, this.standard());
  }

  /** The node's position, or a one-line reason why it is unknown. */
  position(node: Device): NodePosition | string {
    for (const l of this.repo.topology()) {
      const [other, port] = l.mac1 === node.mac ? [l.mac2, l.port2] : l.mac2 === node.mac ? [l.mac1, l.port1] : [null, null];
      if (!other) continue;
      const sw = this.registry.byMac(other);
      if (sw?.type === 'switch' && port !== null) return { switchDevice: sw, port };
    }
    return 'unknown LLDP network position';
  }

  /** Why WalT may not power-cycle this node's port, or undefined when it may. */
  refusal(node: Device): string | undefined {
    const pos = this.position(node);
    if (typeof pos === 'string') return pos;
    if (pos.switchDevice.conf['poe.reboots'] !== true) return `forbidden on switch ${pos.switchDevice.name}`;
    return undefined;
  }

  isOff(node: Device): { reason: string } | undefined {
    const pos = this.position(node);
    if (typeof pos === 'string') return undefined;
    const entry = this.repo.poeOff().find((e) => e.mac === pos.switchDevice.mac && e.port === pos.port);
    return entry && { reason: entry.reason };
  }

  async set(sw: Device, port: number, on: boolean, reason: PoeOffReason): Promise<void> {
    const session = await this.open(sw);
    try {
      // Recorded before the port goes off: a crash in between still restores it at startup.
      if (!on) this.repo.recordPoeOff(sw.mac, port, reason);
      try {
        await session.setPower(port, on);
      } catch (e) {
        if (!on) this.repo.clearPoeOff(sw.mac, port);
        throw e;
      }
      if (on) this.repo.clearPoeOff(sw.mac, port);
    } finally {
      session.close();
    }
  }

  /** Turn PoE back on on every recorded port (of the given switches, or all). */
  async restore(switchMacs?: ReadonlySet<string>): Promise<string[]> {
    const bySwitch = new Map<string, number[]>();
    for (const e of this.repo.poeOff()) {
      if (switchMacs && !switchMacs.has(e.mac)) continue;
      bySwitch.set(e.mac, [...(bySwitch.get(e.mac) ?? []), e.port]);
    }
    const warnings: string[] = [];
    await Promise.all(
      [...bySwitch].map(async ([mac, ports]) => {
        const sw = this.registry.byMac(mac);
        const failed: number[] = [];
        let error = '';
        for (const port of ports) {
          try {
            if (!sw) throw new Error('switch no longer registered');
            await this.set(sw, port, true, 'powersave');
          } catch (e) {
            failed.push(port);
            error = (e as Error).message;
          }
        }
        if (failed.length) {
          const line = `WARNING: Failed to restore PoE on switch ${sw?.name ?? mac} port(s) ${failed.join(',')} -- ${error}!`;
          warnings.push(line);
          this.logs.platform('switches', line, { error: true });
        }
      }),
    );
    return warnings;
  }
}
