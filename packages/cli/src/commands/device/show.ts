import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { paragraph, printJson } from '../../output/table.js';
import { columnateShrinking } from '../../output/shrink-columns.js';

/** A device as GET /api/v1/devices gives it. */
export interface DeviceJson {
  name: string;
  ip: string | null;
  mac: string;
  type: string;
  /** server, switch, node (virtual), node (vpn), node (physical), unknown */
  typeLabel: string;
  /** LAN/NAT inside walt-net, null otherwise (server, no ip, ip outside walt-net). */
  netsetup: string | null;
  virtual: boolean;
  model: string | null;
  image: string | null;
  conf: Record<string, unknown>;
  /** Switches: the driver the server chose by probing, null until a rescan probed the switch. */
  driver?: { id: string; score: number; probedAt: number } | null;
}

/** The driver column: "zyxel (80)" for a probed switch, "-" for a switch not probed yet, empty otherwise. */
function driverCell(d: DeviceJson): string {
  if (d.type !== 'switch') return '';
  return d.driver ? `${d.driver.id} (${d.driver.score})` : '-';
}

const TYPE_ORDER = ['server', 'switch', 'node (virtual)', 'node (vpn)', 'node (physical)', 'unknown'];

/** `walt device show`: all devices, then the ones whose type is unknown (the original's two tables). */
export function registerDeviceShow(device: Command, ctx: CliContext): void {
  device
    .command('show')
    .description('display the devices of the platform')
    .option('--json', 'print the devices as JSON')
    .action(async (opts: { json?: boolean }) => {
      const api = await ctx.api();
      const { devices } = await api.get<{ devices: DeviceJson[] }>('/api/v1/devices');
      if (opts.json) return printJson(devices);
      const row = (d: DeviceJson) => [d.name, d.ip, d.mac, d.typeLabel, d.netsetup, driverCell(d)];
      const sort = (a: DeviceJson, b: DeviceJson) =>
        TYPE_ORDER.indexOf(a.typeLabel) - TYPE_ORDER.indexOf(b.typeLabel) || a.name.localeCompare(b.name);
      const known = devices.filter((d) => d.type !== 'unknown').sort(sort);
      const unknown = devices.filter((d) => d.type === 'unknown').sort(sort);
      const headers = ['name', 'ip', 'mac', 'type', 'netsetup', 'driver'];
      let text = paragraph(
        'The WalT network contains the following devices:',
        columnateShrinking(headers, known.map(row)),
        "tips:\n- use 'walt device tree' for a tree view of the network\n- use 'walt device forget <device_name>' to make WalT forget about an obsolete device",
      );
      if (known.some((d) => d.type === 'switch')) {
        text += "(driver: the switch driver the server chose by probing, with its score; '-' until 'walt device rescan' probes the switch)\n\n";
      }
      if (unknown.length) {
        text += paragraph(
          'WalT also detected the following devices but could not detect their type:',
          columnateShrinking(headers, unknown.map(row)),
          "If one of them is actually a switch, use 'walt device config <name> type=switch' to fix this.",
        );
      }
      ctx.out(text.trimEnd());
    });
}
