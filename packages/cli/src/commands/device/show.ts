import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { columnate, paragraph, printJson } from '../../output/table.js';

interface DeviceJson {
  name: string;
  ip: string | null;
  mac: string;
  type: string;
  virtual: boolean;
  conf: Record<string, unknown>;
}

const TYPE_ORDER = ['server', 'switch', 'node (virtual)', 'node (physical)', 'unknown'];

function typeLabel(d: DeviceJson): string {
  if (d.type === 'node') return d.virtual ? 'node (virtual)' : 'node (physical)';
  return d.type;
}

/** `walt device show`: all devices, then the ones whose type is unknown. */
export function registerDeviceShow(device: Command, ctx: CliContext): void {
  device
    .command('show')
    .description('display the devices of the platform')
    .option('--json', 'print the devices as JSON')
    .action(async (opts: { json?: boolean }) => {
      const api = await ctx.api();
      const { devices } = await api.get<{ devices: DeviceJson[] }>('/api/v1/devices');
      if (opts.json) return printJson(devices);
      const row = (d: DeviceJson) => [d.name, d.ip, d.mac, typeLabel(d), d.type === 'server' || !d.ip ? '' : d.conf.netsetup === 1 || d.conf.netsetup === 'NAT' ? 'NAT' : 'LAN'];
      const sort = (a: DeviceJson, b: DeviceJson) =>
        TYPE_ORDER.indexOf(typeLabel(a)) - TYPE_ORDER.indexOf(typeLabel(b)) || a.name.localeCompare(b.name);
      const known = devices.filter((d) => d.type !== 'unknown').sort(sort);
      const unknown = devices.filter((d) => d.type === 'unknown').sort(sort);
      const headers = ['name', 'ip', 'mac', 'type', 'netsetup'];
      let text = paragraph(
        'The WalT network contains the following devices:',
        columnate(headers, known.map(row)),
        "tips:\n- use 'walt device tree' for a tree view of the network\n- use 'walt device forget <device_name>' to make WalT forget about an obsolete device",
      );
      if (unknown.length) {
        text += paragraph(
          'WalT also detected the following devices but could not detect their type:',
          columnate(headers, unknown.map(row)),
          "If one of them is actually a switch, use 'walt device config <name> type=switch' to fix this.",
        );
      }
      ctx.out(text.trimEnd());
    });
}
