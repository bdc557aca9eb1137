import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLocalTopic } from '../../packages/cli/src/help/help-topics.js';
import { REPO, startServer, type ServerHandle } from '../helpers/walt-processes.js';

/**
 * Every help topic that something tells the user to read exists: `walt help show <topic>` succeeds
 * for each one named by a topic, by a message or script of the product, by the README, or by the
 * seed documents the product was specified from. Plugin topics come from the server, so the server
 * runs with the built-in plugins and the example third-party plugin.
 */

/** Topics the seeds (shared/seeds/networking.md and node-install.md) tell users to read. */
const SEED_TOPICS = ['node-netsetup', 'server-network-config', 'device-config', 'optional-features', 'node-ownership', 'new-node-support'];

const EXAMPLE_PLUGIN = join(REPO, 'examples', 'walt-plugin-beaglebone-black');
const TOPICS_DIR = join(REPO, 'docs', 'topics');

/** Files whose text reaches users: topics, sources (messages, option help), node scripts, READMEs. */
function userFacingFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!/\.test\.ts$/.test(name) && /\.(ts|md)$|^walt-|^_walt/.test(name)) out.push(path);
    }
  };
  for (const dir of ['docs/topics', 'packages', 'examples']) walk(join(REPO, dir));
  out.push(join(REPO, 'README.md'));
  return out;
}

/** Topics of the fictitious plugin that the plugin-author guide (new-node-support) builds: not the product's. */
const GUIDE_EXAMPLE_TOPICS = new Set(['install-acme-x1']);

/** topic -> where it is mentioned. */
function referencedTopics(): Map<string, string[]> {
  const refs = new Map<string, string[]>();
  const add = (topic: string, where: string) => refs.set(topic, [...(refs.get(topic) ?? []), where]);
  for (const file of userFacingFiles()) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/walt help show[`'"]?\s+[`'"]?([a-z0-9][a-z0-9-]*)/g)) add(m[1], relative(REPO, file));
    // Markdown links between topics, as the original's topics write them: [..](other-topic.md)
    if (file.startsWith(TOPICS_DIR)) for (const m of text.matchAll(/\]\(([a-z0-9][a-z0-9-]*)\.md\)/g)) add(m[1], relative(REPO, file));
  }
  for (const t of SEED_TOPICS) add(t, 'shared/seeds');
  for (const t of GUIDE_EXAMPLE_TOPICS) refs.delete(t);
  return refs;
}

describe('help topics', () => {
  let server: ServerHandle;
  beforeAll(async () => {
    const config = `network:\n  walt-net:\n    raw-device: null\n    ip: 192.168.152.1/24\napi:\n  port: 0\nplugins:\n  - ${EXAMPLE_PLUGIN}\n`;
    server = await startServer({ config });
  });
  afterAll(async () => {
    await server?.stop({ cleanup: true });
  });

  it('finds the references it checks (the seeds, the networking topic, plugin topics)', () => {
    const refs = referencedTopics();
    expect(refs.get('node-netsetup')).toEqual(expect.arrayContaining(['shared/seeds']));
    expect(refs.get('log-cat')).toEqual(expect.arrayContaining(['packages/core/node-files/bin/walt-log-cat']));
    expect(refs.has('install-beaglebone-black')).toBe(true);
    expect(refs.size).toBeGreaterThan(30);
  });

  /** `walt help show <topic>` as a real process; undefined when it succeeds, else why not. */
  const showFails = async (topic: string): Promise<string | undefined> => {
    const r = await server.walt(['help', 'show', topic], { timeoutMs: 60_000 });
    return r.code === 0 && r.stdout.startsWith('#') ? undefined : `exit ${r.code}: ${r.stderr.trim()}`;
  };

  it('every topic X that the product or the seeds mention exists for `walt help show X`', async () => {
    const missing: string[] = [];
    const served: string[] = [];
    for (const [topic, where] of referencedTopics()) {
      // The files `walt help show` reads itself (the same lookup, without a process per topic)...
      if (readLocalTopic(topic) !== undefined) continue;
      served.push(topic);
      // ...and the plugin topics, which only the server knows: asked through the real command.
      const why = await showFails(topic);
      if (why) missing.push(`${topic} (mentioned in ${[...new Set(where)].join(', ')}): ${why}`);
    }
    expect(missing).toEqual([]);
    expect(served).toEqual(expect.arrayContaining(['install-beaglebone-black']));
  }, 240_000);

  it('the real command shows each topic the seeds tell users to read', async () => {
    const failures = (await Promise.all(SEED_TOPICS.map(async (t) => [t, await showFails(t)] as const))).filter(([, why]) => why);
    expect(failures).toEqual([]);
  }, 240_000);

  it('every topic file has a title and is listed by walt help list', { timeout: 120_000 }, async () => {
    const files = readdirSync(TOPICS_DIR).filter((f) => f.endsWith('.md'));
    const r = await server.walt(['help', 'list']);
    expect(r.code).toBe(0);
    for (const f of files) {
      expect(readFileSync(join(TOPICS_DIR, f), 'utf8'), f).toMatch(/^# \S/);
      expect(r.stdout, f).toMatch(new RegExp(`^  ${f.slice(0, -3)} +-- \\S`, 'm'));
    }
  });
});
