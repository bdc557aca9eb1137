import type { DependencyContainer } from 'tsyringe';
import type { ServerConfig } from '../../config/server-config.js';
import type { DeviceRegistry } from '../../devices/device-registry.js';
import type { LogService } from '../../logs/log-service.js';
import { TOKENS } from '../../tokens.js';
import { Ipv4Subnet, intToIp } from '../dhcp/ipv4.js';
import { interfaceHolding } from '../dhcp/walt-net-interface.js';
import { NetsetupSync } from './netsetup-sync.js';
import { WaltFirewall, iptablesRunner, type IptablesRunner } from './walt-firewall.js';

/**
 * Install the walt-net firewall (NAT for netsetup=NAT devices, §9.3), keep it in sync with the
 * registry, and register it as TOKENS.Firewall. `walt device config` needs nothing more: a change
 * of netsetup reaches the firewall through the registry's change events; code that changes a device
 * without the registry can call `firewall.applyNetsetup(device, previousIp)` itself.
 */
export async function startFirewall(c: DependencyContainer, run: IptablesRunner = iptablesRunner()): Promise<WaltFirewall> {
  const config = c.resolve<ServerConfig>(TOKENS.Config);
  const logs = c.resolve<LogService>(TOKENS.LogService);
  const registry = c.resolve<DeviceRegistry>(TOKENS.DeviceRegistry);
  const subnet = new Ipv4Subnet(config.network.waltNet.ip);
  const firewall = new WaltFirewall(
    run,
    { waltNetIf: interfaceHolding(subnet.addressString) ?? 'walt-net', subnet: `${intToIp(subnet.network)}/${subnet.prefix}` },
    (line, error) => logs.platform('network', line, { error }),
  );
  c.registerInstance(TOKENS.Firewall, firewall);
  const devices = registry.all().filter((d) => d.type !== 'server');
  const ok = await firewall.prepare(devices);
  if (!ok) logs.platform('network', 'firewall rules could not be installed: netsetup=NAT devices get no route out (is iptables installed?)', { error: true });
  const sync = new NetsetupSync(firewall);
  sync.seed(devices);
  registry.onChange(sync.onChange);
  return firewall;
}
