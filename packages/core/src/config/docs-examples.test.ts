import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkConfigText } from './load-config.js';

/** The configuration examples the user documentation shows must load as they are. */
const topic = (name: string) => readFileSync(fileURLToPath(new URL(`../../../../docs/topics/${name}.md`, import.meta.url)), 'utf8');

/** Code blocks that are configuration files: ```yaml blocks, and plain blocks that open a JSON object. */
function configBlocks(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)];
  return blocks.filter(([, lang, body]) => lang === 'yaml' || (lang === '' && body.trimStart().startsWith('{'))).map(([, , body]) => body);
}

describe('configuration examples of the help topics', () => {
  for (const name of ['networking', 'server-network-config', 'server-install']) {
    const blocks = configBlocks(topic(name));
    it(`${name}: has examples`, () => expect(blocks.length).toBeGreaterThan(0));
    blocks.forEach((text, i) => {
      it(`${name}: example ${i + 1} loads`, () => {
        expect(() => checkConfigText(text, `${name}.md example ${i + 1}`, '/var/lib/walt')).not.toThrow();
      });
    });
  }
});
