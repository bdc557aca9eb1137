import type { ServerConfig } from '../../config/server-config.js';
import type { DeviceRegistry } from '../../devices/device-registry.js';
import type { LogService } from '../../logs/log-service.js';
import { Ipv4Subnet, intToIp } from '../dhcp/ipv4.js';
import { interfaceHolding } from '../dhcp/walt-net-interface.js';
import { NetsetupSync } from './netsetup-sync.js';
import { WaltFirewall, iptablesRunner, type IptablesRunner } from './walt-firewall.js';

/**
 * Install the walt-net firewall (NAT for netsetup=NAT devices, §9.3), keep it in sync with the
 * registry. `walt device config` needs nothing more: a change
 * of netsetup reaches the firewall through the registry's change events; code that changes a device
 * without the registry can call `firewall.applyNetsetup(device, previousIp)` itself.
 */
export async function startFirewall(
  { config, logs, registry }: { config: ServerConfig; logs: LogService; registry: DeviceRegistry },
  run: IptablesRunner = iptablesRunner(),
): Promise<WaltFirewall> {
  const subnet = new Ipv4Subnet(config.network.waltNet.ip);
  const firewall = new WaltFirewall(
    run,
    { waltNetIf: interfaceHolding(subnet.addressString) ?? 'walt-net', subnet: `${intToIp(subnet.network)}/${subnet.prefix}` },
    (line, error) => logs.platform('network', line, { error }),
  );
  const devices = registry.all().filter((d) => d.type !== 'server');
  const ok = await firewall.prepare(devices);
  if (!ok) logs.platform('network', 'firewall rules could not be installed: netsetup=NAT devices get no route out (is iptables installed?)', { error: true });
  const sync = new NetsetupSync(firewall);
  sync.seed(devices);
  registry.onChange(sync.onChange);
  return firewall;
}
