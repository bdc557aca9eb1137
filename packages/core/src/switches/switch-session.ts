import type { SnmpSession, SwitchDriver } from '@walt/sdk';
import type { Device } from '../devices/device.js';
import type { DriverChoice, SwitchDrivers } from './switch-drivers.js';
import { snmpTargetOf } from './switch-drivers.js';

/** What a driver may lack: the host then asks the fallback driver (SwitchDriver.fallback; e.g. for a PoE-only vendor driver). */
type Capability = 'lldpNeighbors' | 'forwardingTable' | 'secondaryMacs' | 'portNames';

/** An open session to one switch with its chosen driver; always close() it. */
export class SwitchSession {
  private constructor(
    readonly device: Device,
    readonly snmp: SnmpSession,
    readonly choice: DriverChoice,
    private readonly drivers: SwitchDrivers,
    private readonly fallback: SwitchDriver | undefined,
  ) {}

  static async open(drivers: SwitchDrivers, device: Device, fallback: SwitchDriver | undefined, options: { timeoutMs?: number; retries?: number } = {}): Promise<SwitchSession> {
    const snmp = drivers.open(snmpTargetOf(device, options));
    try {
      const choice = await drivers.choose(device, snmp);
      return new SwitchSession(device, snmp, choice, drivers, fallback);
    } catch (e) {
      snmp.close();
      throw e;
    }
  }

  get driver(): SwitchDriver {
    return this.choice.driver;
  }

  /** The function for a capability: the chosen driver's, else the standard driver's. */
  capability<K extends Capability>(name: K): NonNullable<SwitchDriver[K]> | undefined {
    return (this.choice.driver[name] ?? this.fallback?.[name]) as NonNullable<SwitchDriver[K]> | undefined;
  }

  async setPower(port: number, on: boolean): Promise<void> {
    const poe = this.choice.driver.poe;
    if (!poe) throw new Error(`no PoE support for ${this.device.name} in driver ${this.choice.driver.id}`);
    const map = await this.drivers.poeMap(this.device, this.snmp, this.choice);
    await poe.setPower(this.snmp, port, on, map);
  }

  async poePorts() {
    const poe = this.choice.driver.poe;
    if (!poe) return [];
    const map = await this.drivers.poeMap(this.device, this.snmp, this.choice);
    return poe.ports(this.snmp, map);
  }

  close(): void {
    this.snmp.close();
  }
}
