import type { SnmpSessionFactory, SwitchDriver } from '@walt/sdk';
import { registerSwitchRoutes } from '../api/switch-routes.js';
import type { ServerConfig } from '../config/server-config.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import type { LogService } from '../logs/log-service.js';
import { POWERSAVE_TIMEOUT_MS, PowersaveService } from '../nodes/powersave-service.js';
import { DEFAULT_REBOOT_OPTIONS, RebootService } from '../nodes/reboot-service.js';
import type { ExtensionRegistry } from '../plugins/extension-registry.js';
import type { Db } from '../store/database.js';
import { SwitchesRepository } from '../store/switches-repository.js';
import { PoeControl } from '../switches/poe-control.js';
import { PortConfig } from '../switches/port-config.js';
import { RescanService, DEFAULT_RESCAN_OPTIONS, type ServerAgent } from '../switches/rescan.js';
import { SwitchDrivers } from '../switches/switch-drivers.js';
import type { Switches } from '../switches/switches.js';
import { TopologyView } from '../switches/topology-view.js';
import type { Subsystem } from './subsystem.js';

/** Timings and addresses tests shorten or redirect (the CLI reads them from WALT_* variables). */
export interface SwitchesOptions {
  /** Where the server's own LLDP query goes instead of its walt-net address, port 161. */
  serverSnmpAgent?: { ip: string; port: number };
  rescanDeviceTimeoutMs?: number;
  /** How long a PoE reboot keeps the port off (at least 1 s). */
  poeRebootDelayMs?: number;
  powersaveTimeoutMs?: number;
}

export interface SwitchesDeps {
  config: ServerConfig;
  db: Db;
  registry: DeviceRegistry;
  extensions: ExtensionRegistry;
  logs: LogService;
  serverMac: string;
  snmp: SnmpSessionFactory;
}

/** The switches subsystem: drivers, PoE, rescan, topology, reboots and powersave. */
export function composeSwitches(deps: SwitchesDeps, options: SwitchesOptions = {}): { switches: Switches; subsystem: Subsystem } {
  const { config, registry, extensions, logs } = deps;
  const repo = new SwitchesRepository(deps.db);
  const drivers = new SwitchDrivers(extensions, repo, deps.snmp, (driver, device, error) =>
    logs.platform('switches', `driver ${driver} failed on ${device}: ${(error as Error)?.message ?? error}`, { error: true }),
  );
  // The driver others fall back on, whatever its id (SwitchDriver.fallback).
  const standard = (): SwitchDriver | undefined => extensions.switchDrivers().find((c) => c.value.fallback)?.value;
  const poe = new PoeControl(drivers, repo, registry, logs, standard);
  const serverAgent = (): ServerAgent => ({
    mac: deps.serverMac,
    ip: options.serverSnmpAgent?.ip ?? config.network.waltNet.ip.split('/')[0],
    port: options.serverSnmpAgent?.port ?? 161,
    community: 'private',
  });
  const rescan = new RescanService(registry, drivers, repo, poe, logs, serverAgent, standard, {
    ...DEFAULT_RESCAN_OPTIONS,
    ...(options.rescanDeviceTimeoutMs ? { deviceTimeoutMs: options.rescanDeviceTimeoutMs } : {}),
  });
  const reboot = new RebootService(poe, extensions, logs, {
    ...DEFAULT_REBOOT_OPTIONS,
    ...(options.poeRebootDelayMs ? { poeOffMs: options.poeRebootDelayMs } : {}),
  });
  const powersave = new PowersaveService(registry, extensions, poe, logs, options.powersaveTimeoutMs ?? POWERSAVE_TIMEOUT_MS);
  reboot.onReboot((node) => powersave.touch(node));
  const switches: Switches = {
    repo,
    drivers,
    poe,
    rescan,
    portConfig: new PortConfig(registry, repo),
    topology: new TopologyView(registry, repo),
    reboot,
    powersave,
  };
  return {
    switches,
    subsystem: {
      name: 'switches',
      routes: (router) => registerSwitchRoutes(router, registry, switches, (line) => logs.platform('nodes', line)),
      forget: (device) => {
        repo.forgetDevice(device.mac);
        drivers.forget(device);
      },
      start: async () => {
        // Ports left off by a previous run (a crash mid-reboot, powersave) come back on.
        void poe.restore().catch((e) => logs.platform('switches', `PoE restore failed: ${(e as Error).message}`, { error: true }));
        powersave.start();
      },
      stop: () => powersave.stop(),
    },
  };
}
