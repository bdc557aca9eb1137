import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WALT_BIN } from '../../helpers/walt-processes.js';
import { startDevicesServer, type DevicesServer } from './devices-test-kit.js';
import { userToken } from '../../helpers/api-token.js';

/** Run walt on a pseudo-terminal (util-linux `script`), typing `input`: the confirmation prompt path. */
async function waltOnTty(s: DevicesServer, args: string[], user: string, input: string): Promise<{ code: number; output: string }> {
  const token = await userToken(s.server.address, user);
  return new Promise((resolve, reject) => {
    const command = [process.execPath, WALT_BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], {
      env: { ...process.env, WALT_SERVER: s.server.address, WALT_USER: user, WALT_TOKEN: token, WALT_CONFIG_FILE: join(s.server.dataDir, 'none') },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
      if (output.includes('Are you sure? (y/n): ') && input) {
        child.stdin.write(input);
        input = '';
      }
    });
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`walt on a tty timed out: ${output}`));
    }, 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, output });
    });
  });
}

describe('node ownership: acquire, release, boot (walt CLI, folder image store)', () => {
  let s: DevicesServer;
  const image = async (name: string) => (await s.device(name))?.image;

  beforeAll(async () => {
    s = await startDevicesServer({ plugin: true });
    s.writeImage('alice/pc-only:latest', ['pc-x86-64']);
    s.writeImage('alice/rpi-exp:v2', ['rpi-3-b-plus', 'test-board']);
    const nodes: Array<[string, string, string]> = [
      ['b8:27:eb:00:02:01', 'rpi-a', 'rpi-3-b-plus'],
      ['b8:27:eb:00:02:02', 'rpi-b', 'rpi-3-b-plus'],
      ['02:00:00:00:02:03', 'tb-a', 'test-board'],
    ];
    for (const [mac, name, model] of nodes) {
      // Loopback addresses (engineer D's 127.77.4.x): nothing listens there, so the reboot after each
      // change fails at once (Connection refused) instead of waiting 15 s for an absent node.
      const r = await s.register({ mac, ip: `127.77.4.${200 + Number(mac.slice(-1))}`, vendorClass: `walt.node.${model}` });
      await s.ok(['device', 'rename', r.device.name, name]);
    }
    const sw = await s.register({ mac: '02:00:00:00:02:09', ip: '192.168.152.209' });
    await s.ok(['device', 'config', sw.device.name, 'type=switch']);
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('starts with free nodes booting their default image', async () => {
    expect(await s.ok(['node', 'show'])).toBe(
      'You currently do not own any nodes.\nRe-run with --all to see all available nodes.\nType `walt help show node-ownership` for help.\n',
    );
    const all = await s.ok(['node', 'show', '--all']);
    expect(all).toContain('The following nodes are currently free:');
    expect(all).toMatch(/^name\s+type\s+model\s+ip\s+netsetup\s+booted$/m);
    expect(all).not.toContain('You currently own');
    expect(all).toContain('Type `walt help show node-ownership` for help.');
    expect(await image('rpi-a')).toBe('waltplatform/rpi-3-b-plus-default:latest');
  });

  it("acquire clones each model's default image into the working set and boots the nodes on it", async () => {
    expect(await s.okRebootFailing(['node', 'acquire', 'rpi-a,tb-a'])).toBe(
      'Cloned rpi-3-b-plus-default, a default image for rpi-3-b-plus.\n' +
        'Cloned boards, a default image for test-board.\n' +
        'Node rpi-a will now boot rpi-3-b-plus-default.\n' +
        'Node tb-a will now boot boards.\n',
    );
    expect(s.hasImage('alice/rpi-3-b-plus-default:latest')).toBe(true);
    expect(s.hasImage('alice/boards:latest')).toBe(true);
    expect(await image('rpi-a')).toBe('alice/rpi-3-b-plus-default:latest');
    expect(await image('tb-a')).toBe('alice/boards:latest');
    const mine = await s.ok(['node', 'show']);
    expect(mine).toContain('You currently own the following nodes:');
    expect(mine).toMatch(/rpi-a\s+physical\s+rpi-3-b-plus\s+rpi-3-b-plus-default\s+127\.77\.4\.201\s+LAN\s+NO/);
    expect((await s.ok(['node', 'show', '--names-only'])).trim().split('\n')).toEqual(['rpi-a', 'tb-a']);
    expect(s.platformLines('platform.nodes')).toContain('node rpi-a will now boot alice/rpi-3-b-plus-default:latest (acquire)');
    // The clone is reused: no new "Cloned" line.
    expect(await s.okRebootFailing(['node', 'acquire', 'rpi-b'])).toBe('Node rpi-b will now boot rpi-3-b-plus-default.\n');
  });

  it('acquire refuses your own nodes and asks before taking another user’s', async () => {
    expect(await s.fails(['node', 'acquire', 'rpi-a'])).toBe('Error: Node rpi-a is already yours. See `walt help show node-ownership`.');
    expect(await s.fails(['node', 'acquire', 'rpi-a,rpi-b'])).toBe('Error: Nodes rpi-a and rpi-b are already yours. See `walt help show node-ownership`.');
    expect(await s.fails(['node', 'acquire', 'rpi-b'], 'bob')).toBe('Error: Node rpi-b seems to be used by another user: use --yes to act on it anyway.');
    expect(await image('rpi-b')).toBe('alice/rpi-3-b-plus-default:latest');
    expect(s.hasImage('bob/rpi-3-b-plus-default:latest')).toBe(false);
  });

  it("shows other users' nodes in their own section", async () => {
    const out = await s.ok(['node', 'show', '--all'], 'bob');
    expect(out).toContain('The following nodes currently belong to other users:');
    expect(out).toMatch(/^name\s+type\s+model\s+image-owner\s+clonable-image-link\s+ip\s+netsetup\s+booted$/m);
    expect(out).toMatch(/rpi-a\s+physical\s+rpi-3-b-plus\s+alice\s+walt:alice\/rpi-3-b-plus-default\s+127\.77\.4\.201/);
    const json = JSON.parse(await s.ok(['node', 'show', '--all', '--json'], 'bob')) as Array<{ name: string; ownership: string }>;
    expect(json.map((n) => [n.name, n.ownership])).toEqual([
      ['rpi-a', 'other'],
      ['rpi-b', 'other'],
      ['tb-a', 'other'],
    ]);
  });

  it('boot: an image of the working set, compatible with every node, else refused and nothing changes', async () => {
    expect(await s.fails(['node', 'boot', 'rpi-a', 'pc-only'])).toBe(
      'Error: Image pc-only is not compatible with node rpi-a (model rpi-3-b-plus): it supports pc-x86-64.',
    );
    expect(await s.fails(['node', 'boot', 'rpi-a', 'missing'])).toBe("Error: No image named 'missing' in your working set (see 'walt image show').");
    expect(await s.fails(['node', 'boot', 'rpi-a', 'Bad_Name'])).toContain("invalid image name 'Bad_Name'");
    expect(await s.fails(['node', 'boot', 'rpi-a,sw-x', 'rpi-exp:v2'])).toBe("Error: No device with name 'sw-x' found.");
    expect(await s.fails(['node', 'boot', 'all-switches', 'rpi-exp:v2'])).toBe('Error: switch-000209 is not a node, it is a switch.');
    expect(await image('rpi-a')).toBe('alice/rpi-3-b-plus-default:latest');

    expect(await s.okRebootFailing(['node', 'boot', 'rpi-a,tb-a', 'rpi-exp:v2'])).toBe('Nodes rpi-a and tb-a will now boot rpi-exp:v2.\n');
    expect(await image('tb-a')).toBe('alice/rpi-exp:v2');
    expect(await s.okRebootFailing(['node', 'deploy', 'rpi-a,rpi-b', 'rpi-exp:v2'])).toBe(
      'Node rpi-a: ignored, it is already using this image.\nNode rpi-b will now boot rpi-exp:v2.\n',
    );
    expect(s.platformLines('platform.nodes')).toContain('node rpi-b will now boot alice/rpi-exp:v2 (image change)');
  });

  it("boot on another user's node needs --yes (or a 'y' on a terminal)", async () => {
    expect(await s.fails(['node', 'boot', 'rpi-b', 'default'], 'bob')).toContain('use --yes');
    expect(await image('rpi-b')).toBe('alice/rpi-exp:v2');

    const no = await waltOnTty(s, ['node', 'boot', 'rpi-b', 'default'], 'bob', 'n\n');
    expect(no.output).toContain('Warning: Node rpi-b seems to be used by another user.');
    expect(no.output).toContain('Aborted.');
    expect(no.code).not.toBe(0);
    expect(await image('rpi-b')).toBe('alice/rpi-exp:v2');

    const yes = await waltOnTty(s, ['node', 'boot', 'rpi-b', 'default'], 'bob', 'maybe\ny\n');
    expect(yes.code).toBe(0);
    expect(yes.output).toContain("Node rpi-b will now boot its default image (other users will see it is 'free').");
    expect(await image('rpi-b')).toBe('waltplatform/rpi-3-b-plus-default:latest');

    expect(await s.okRebootFailing(['node', 'boot', '--yes', 'rpi-b', 'rpi-exp:v2'], 'alice')).toBe('Node rpi-b will now boot rpi-exp:v2.\n');
  });

  it('release: only your nodes, back to their default image (free)', async () => {
    expect(await s.fails(['node', 'release', 'rpi-a'], 'bob')).toBe('Error: Node rpi-a is not yours. See `walt help show node-ownership`.');
    expect(await s.okRebootFailing(['node', 'release', 'my-nodes'])).toBe(
      "Nodes rpi-a, rpi-b and tb-a will now boot their default image (other users will see they are 'free').\n",
    );
    expect(await image('tb-a')).toBe('waltplatform/test-boards:latest');
    expect(await s.fails(['node', 'release', 'rpi-a'])).toBe('Error: Node rpi-a is not yours. See `walt help show node-ownership`.');
    expect(await s.fails(['node', 'release', 'my-nodes'])).toBe('Error: No matching devices found! (tip: walt help show node-ownership)');
    expect(await s.ok(['node', 'show', '--all'])).toContain('The following nodes are currently free:');
    expect(s.platformLines('platform.nodes')).toContain('node tb-a will now boot waltplatform/test-boards:latest (release)');
  });

  it('boot default on a free node is ignored; acquire of a free node needs no confirmation', async () => {
    expect(await s.okRebootFailing(['node', 'boot', 'rpi-a', 'default'])).toBe('Node rpi-a: ignored, it is already using this image.\n');
    expect(await s.okRebootFailing(['node', 'acquire', 'rpi-a'], 'bob')).toBe(
      'Cloned rpi-3-b-plus-default, a default image for rpi-3-b-plus.\nNode rpi-a will now boot rpi-3-b-plus-default.\n',
    );
    expect(await image('rpi-a')).toBe('bob/rpi-3-b-plus-default:latest');
  });

  it('rename of another user’s node needs --yes', async () => {
    expect(await s.fails(['node', 'rename', 'rpi-a', 'rpi-z'], 'alice')).toContain('use --yes');
    expect(await s.device('rpi-a')).toBeDefined();
    await s.ok(['node', 'rename', '--yes', 'rpi-a', 'rpi-z'], 'alice');
    expect((await s.device('rpi-z'))?.mac).toBe('b8:27:eb:00:02:01');
  });
});
