import type { DependencyContainer } from 'tsyringe';
import type { SnmpSessionFactory, SwitchDriver } from '@walt/sdk';
import type { ServerConfig } from '../config/server-config.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import type { LogService } from '../logs/log-service.js';
import { PowersaveService, powersaveTimeoutFromEnv } from '../nodes/powersave-service.js';
import { DEFAULT_REBOOT_OPTIONS, RebootService } from '../nodes/reboot-service.js';
import type { ExtensionRegistry } from '../plugins/extension-registry.js';
import type { Db } from '../store/database.js';
import { SwitchesRepository } from '../store/switches-repository.js';
import { TOKENS } from '../tokens.js';
import { PoeControl } from './poe-control.js';
import { PortConfig } from './port-config.js';
import { RescanService, DEFAULT_RESCAN_OPTIONS, type ServerAgent } from './rescan.js';
import { SwitchDrivers } from './switch-drivers.js';
import { TopologyView } from './topology-view.js';

/** Container keys of the switches subsystem (other subsystems resolve Powersave to wake nodes). */
export const SWITCH_TOKENS = {
  Switches: Symbol.for('walt.Switches'),
  Powersave: Symbol.for('walt.Powersave'),
  Reboot: Symbol.for('walt.Reboot'),
} as const;

export interface Switches {
  repo: SwitchesRepository;
  drivers: SwitchDrivers;
  poe: PoeControl;
  rescan: RescanService;
  portConfig: PortConfig;
  topology: TopologyView;
  reboot: RebootService;
  powersave: PowersaveService;
}

/** WALT_SERVER_SNMP_AGENT=host:port points the server's own LLDP query elsewhere (tests). */
function serverAgent(config: ServerConfig, mac: string, env: NodeJS.ProcessEnv): ServerAgent {
  const override = env.WALT_SERVER_SNMP_AGENT?.match(/^([\d.]+):(\d+)$/);
  const ip = config.network.waltNet.ip.split('/')[0];
  return { mac, ip: override?.[1] ?? ip, port: override ? Number(override[2]) : 161, community: 'private' };
}

/** Build the switches subsystem once plugins are loaded; PoE of recorded ports is restored. */
export function startSwitches(container: DependencyContainer, config: ServerConfig, snmp: SnmpSessionFactory, env: NodeJS.ProcessEnv = process.env): Switches {
  const registry = container.resolve<DeviceRegistry>(TOKENS.DeviceRegistry);
  const logs = container.resolve<LogService>(TOKENS.LogService);
  const extensions = () => container.resolve<ExtensionRegistry>(TOKENS.Extensions);
  const identity = container.resolve<{ mac: string }>(TOKENS.ServerIdentity);
  const repo = new SwitchesRepository(container.resolve<Db>(TOKENS.Db));
  const drivers = new SwitchDrivers(extensions(), repo, snmp, (driver, device, error) =>
    logs.platform('switches', `driver ${driver} failed on ${device}: ${(error as Error)?.message ?? error}`, { error: true }),
  );
  const standard = (): SwitchDriver | undefined => extensions().switchDrivers().find((c) => c.value.id === 'standard')?.value;
  const poe = new PoeControl(drivers, repo, registry, logs, standard);
  const rescanTimeout = Number(env.WALT_RESCAN_DEVICE_TIMEOUT_MS);
  const rescan = new RescanService(registry, drivers, repo, poe, logs, () => serverAgent(config, identity.mac, env), standard, {
    ...DEFAULT_RESCAN_OPTIONS,
    ...(Number.isFinite(rescanTimeout) && rescanTimeout > 0 ? { deviceTimeoutMs: rescanTimeout } : {}),
  });
  const offMs = Number(env.WALT_POE_REBOOT_DELAY_MS);
  const reboot = new RebootService(poe, extensions(), logs, {
    ...DEFAULT_REBOOT_OPTIONS,
    ...(Number.isFinite(offMs) && offMs >= 1000 ? { poeOffMs: offMs } : {}),
  });
  const powersave = new PowersaveService(registry, extensions(), poe, logs, powersaveTimeoutFromEnv(env));
  reboot.onReboot((node) => powersave.touch(node));
  registry.onForget((device) => {
    repo.forgetDevice(device.mac);
    drivers.forget(device);
  });
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
  container.registerInstance(SWITCH_TOKENS.Switches, switches);
  container.registerInstance(SWITCH_TOKENS.Powersave, powersave);
  container.registerInstance(SWITCH_TOKENS.Reboot, reboot);
  // Ports left off by a previous run (a crash mid-reboot, powersave) come back on.
  void poe.restore().catch((e) => logs.platform('switches', `PoE restore failed: ${(e as Error).message}`, { error: true }));
  powersave.start();
  return switches;
}
