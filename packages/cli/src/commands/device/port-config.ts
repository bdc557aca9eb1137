import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { CliError } from '../../cli-error.js';

/** `walt device port-config <switch> [port] [name=<port-name>]`: show or set switch port names. */
export function registerDevicePortConfig(device: Command, ctx: CliContext): void {
  device
    .command('port-config <switch-name> [port-id] [settings...]')
    .description('get or set switch port names')
    .action(async (name: string, portId: string | undefined, settings: string[]) => {
      const api = await ctx.api();
      if (portId !== undefined && !/^\d+$/.test(portId)) throw new CliError(`invalid port id '${portId}' (a positive integer).`);
      if (!settings.length) {
        const q = portId !== undefined ? `?port=${portId}` : '';
        const { text } = await api.get<{ text: string }>(`/api/v1/switches/${encodeURIComponent(name)}/ports${q}`);
        return ctx.out(text);
      }
      if (portId === undefined) throw new CliError('give the port id before the settings (walt device port-config <switch> <port> name=<port-name>).');
      const parsed: Record<string, string> = {};
      for (const s of settings) {
        const eq = s.indexOf('=');
        if (eq <= 0) throw new CliError('Please provide settings as `<setting name>=<setting value>` arguments.');
        parsed[s.slice(0, eq)] = s.slice(eq + 1);
      }
      const { message } = await api.post<{ message: string }>(`/api/v1/switches/${encodeURIComponent(name)}/ports/${portId}`, { settings: parsed });
      ctx.out(message);
    });
}
