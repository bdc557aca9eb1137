import { describe, expect, it } from 'vitest';
import { definePlugin } from '../plugin.js';
import { createTestContext } from './test-context.js';

const model = { id: 'demo-board', family: 'demo', description: 'Demo', bootProtocol: 'uboot', bootFiles: ['start.uboot'] };

describe('createTestContext', () => {
  it('runs register() with validated settings and collects contributions', async () => {
    const plugin = definePlugin<{ greeting: string }>({
      name: 'walt-plugin-demo',
      version: '1.0.0',
      settings: { greeting: { type: 'string', description: 'hello text', default: 'hi' } },
      register(api) {
        api.context.logger.info(`${api.context.settings.greeting} from ${api.context.name}`);
        api.context.cache.set('k', 1);
        api.nodeModel(model);
        api.helpTopic({ name: 'demo', title: 'Demo', markdown: '# Demo' });
        api.onReady(() => undefined);
      },
    });
    const ctx = createTestContext<{ greeting: string }>({ name: 'walt-plugin-demo' });
    const c = await ctx.register(plugin);
    expect(c.nodeModels.map((m) => m.id)).toEqual(['demo-board']);
    expect(c.helpTopics.map((t) => t.name)).toEqual(['demo']);
    expect(c.readyHooks).toHaveLength(1);
    expect(ctx.lines).toEqual(['info: hi from walt-plugin-demo']);
    expect(ctx.cache.get('k')).toBe(1);
    expect(ctx.settings).toEqual({ greeting: 'hi' });
  });

  it('checks contributions like the host', async () => {
    const plugin = definePlugin({ name: 'walt-plugin-demo', version: '1.0.0', register: (api) => api.nodeModel({ ...model, id: 'Bad' }) });
    await expect(createTestContext().register(plugin)).rejects.toThrow('defineNodeModel: invalid id "Bad"');
  });

  it('refuses duplicate ids, invalid settings and another API version', async () => {
    const twice = definePlugin({ name: 'walt-plugin-demo', version: '1.0.0', register: (api) => (api.nodeModel(model), api.nodeModel(model)) });
    await expect(createTestContext().register(twice)).rejects.toThrow("conflict: node model 'demo-board' is declared twice by walt-plugin-demo");
    const withSettings = definePlugin({
      name: 'walt-plugin-demo',
      version: '1.0.0',
      settings: { port: { type: 'integer', description: 'p', max: 10 } },
      register() {},
    });
    await expect(createTestContext({ settings: { port: 11 } }).register(withSettings)).rejects.toThrow("invalid settings: setting 'port' must be at most 10.");
    const future = definePlugin({ name: 'walt-plugin-demo', version: '1.0.0', apiVersion: 2, register() {} });
    await expect(createTestContext().register(future)).rejects.toThrow('definePlugin declares plugin API version 2, this server speaks version 1');
  });

  it('has no SNMP unless given one', () => {
    expect(() => createTestContext().snmp.open({ host: '127.0.0.1', version: 2, community: 'public' })).toThrow(/no SNMP factory/);
  });
});
