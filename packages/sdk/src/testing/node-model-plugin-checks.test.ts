import { describe, expect, it } from 'vitest';
import { definePlugin } from '../plugin.js';
import { checkNodeModelPlugin } from './node-model-plugin-checks.js';

const topic = { name: 'install-acme', title: 'Acme boards', markdown: '# Acme boards\n\nacme-1: plug it in, then `walt node show --all`.' };

function acme(options: { bootProtocol?: string; withTopic?: boolean } = {}) {
  return definePlugin({
    name: 'walt-plugin-acme',
    version: '1.0.0',
    register(api) {
      api.nodeModel({ id: 'acme-1', family: 'acme', description: 'Acme 1', bootProtocol: options.bootProtocol ?? 'uboot', bootFiles: ['start.uboot'] });
      if (options.withTopic !== false) api.helpTopic(topic);
    },
  });
}

describe('checkNodeModelPlugin', () => {
  it('finds nothing wrong with a plugin that matches', async () => {
    expect(await checkNodeModelPlugin(acme(), { 'acme-1': { bootProtocol: 'uboot', bootFiles: ['start.uboot'] } })).toEqual([]);
  });

  it('names a wrong boot protocol, a missing model and a missing topic', async () => {
    const problems = await checkNodeModelPlugin(acme({ bootProtocol: 'ipxe', withTopic: false }), {
      'acme-1': { bootProtocol: 'uboot', bootFiles: ['start.uboot'] },
      'acme-2': { bootProtocol: 'uboot', bootFiles: ['start.uboot'] },
    });
    expect(problems).toContain("acme-1: boot protocol 'ipxe', expected 'uboot'");
    expect(problems.some((p) => p.includes('expected [acme-1, acme-2]'))).toBe(true);
    expect(problems).toContain('expected one install help topic, got 0');
  });
});
