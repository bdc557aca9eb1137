import { defineVirtualNodeProvider, emptyContributions, type VirtualNodeProvider } from '@walt/sdk';
import { describe, expect, it } from 'vitest';
import type { ServerConfig } from '../config/server-config.js';
import { LogService } from '../logs/log-service.js';
import { ExtensionRegistry } from '../plugins/extension-registry.js';
import { openDatabase } from '../store/database.js';
import { DevicesRepository } from '../store/devices-repository.js';
import { LogsRepository } from '../store/logs-repository.js';
import { DeviceCleanups } from './device-cleanups.js';
import { DeviceConfigService } from './device-config.js';
import { DeviceRegistry } from './device-registry.js';

/**
 * Core knows no virtual-node setting by name: `walt node config` validates them through the grammar
 * the virtual-node provider contributes. A toy provider with a setting core has never heard of shows it.
 */
function setup(withProvider: boolean) {
  const db = openDatabase(':memory:');
  const logs = new LogService(new LogsRepository(db), { name: 'walt-server', mac: '52:54:00:00:00:01' }, (m) => m, () => {});
  const extensions = new ExtensionRegistry();
  const provider: VirtualNodeProvider = defineVirtualNodeProvider({
    id: 'toy',
    description: 'toy VMs',
    model: 'pc-x86-64',
    settings: {
      'odd.parser': {
        description: 'a parser with defects',
        default: 'a',
        parse: (raw) => {
          if (raw === 'throw-string') throw 'line one\nline two';
          if (raw === 'no-value') return undefined as unknown as string;
          return raw;
        },
      },
      'gpu.count': {
        description: 'GPUs of a toy VM',
        default: 0,
        parse: (raw) => {
          if (!/^[0-8]$/.test(raw)) throw new Error(`'${raw}' is not a valid value for gpu.count (0 to 8).`);
          return Number(raw);
        },
      },
    },
    start: async () => {},
    kill: async () => {},
    stop: async () => {},
    input: () => {},
  });
  if (withProvider) extensions.add('toy-plugin', { ...emptyContributions(), virtualNodeProviders: [provider] });
  const config = { network: { waltNet: { ip: '192.168.152.1/24', rawDevice: null } } } as unknown as ServerConfig;
  const registry = new DeviceRegistry(new DevicesRepository(db), logs, extensions, config, new DeviceCleanups());
  registry.ensureServer('52:54:00:00:00:01', '192.168.152.1');
  const vm = registry.addVirtualNode({ mac: '52:54:00:aa:00:01', ip: '192.168.152.50', name: 'vm1', model: 'pc-x86-64', image: 'waltplatform/pc-x86-64-default:latest' });
  registry.register({ mac: 'b8:27:eb:00:00:01', ip: '192.168.152.14', model: 'rpi-3-b-plus' });
  const pi = registry.byMac('b8:27:eb:00:00:01')!;
  return { registry, service: new DeviceConfigService(registry, extensions), vm, pi };
}

describe('virtual-node settings come from the provider', () => {
  it('shows the grammar default, stores a parsed value and asks for a reboot', async () => {
    const { registry, service, vm } = setup(true);
    expect(service.effectiveSettings(vm)['gpu.count']).toBe(0);
    expect((await service.apply([vm], [['gpu.count', '2']])).messages).toEqual(['Done. Reboot node(s) to see new settings in effect.']);
    expect(registry.byMac(vm.mac)!.conf['gpu.count']).toBe(2);
  });

  it("refuses a bad value with the grammar's one-line message, and changes nothing", async () => {
    const { registry, service, vm } = setup(true);
    await expect(service.apply([vm], [['gpu.count', '9']])).rejects.toThrow("'9' is not a valid value for gpu.count (0 to 8).");
    expect(registry.byMac(vm.mac)!.conf).toEqual({});
  });

  it("keeps a defective parser's errors to one line, and refuses a value it did not give", async () => {
    const { registry, service, vm } = setup(true);
    await expect(service.apply([vm], [['odd.parser', 'throw-string']])).rejects.toThrow(/^line one$/);
    await expect(service.apply([vm], [['odd.parser', 'no-value']])).rejects.toThrow("setting 'odd.parser': the virtual node provider gave no value for 'no-value'");
    expect(registry.byMac(vm.mac)!.conf).toEqual({});
  });

  it('applies to virtual nodes only', async () => {
    const { service, pi } = setup(true);
    expect(service.effectiveSettings(pi)).not.toHaveProperty('gpu.count');
    await expect(service.apply([pi], [['gpu.count', '1']])).rejects.toThrow("is not virtual, so 'gpu.count' setting is not supported.");
  });

  it('without a provider, the setting is unknown (and so are ram, disks...: core has none of them)', async () => {
    const { service, vm } = setup(false);
    expect(service.effectiveSettings(vm)).not.toHaveProperty('gpu.count');
    expect(service.effectiveSettings(vm)).not.toHaveProperty('ram');
    await expect(service.apply([vm], [['gpu.count', '1']])).rejects.toThrow("Unknown setting 'gpu.count'");
    await expect(service.apply([vm], [['ram', '1G']])).rejects.toThrow("Unknown setting 'ram'");
  });
});
