import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ip } from '../../helpers/netns.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { REPO } from '../../helpers/walt-processes.js';

const L = (process.env.WALT_TEST_NETNS_PREFIX ?? '').slice(0, 1);
const NS = `${L}wbrdet`;
const BR = `${L}wbrdetbr`;

/**
 * Virtual nodes PXE-boot on taps of the walt-net bridge. When its only ports are taps whose VMs are
 * not running (a node between its boot delay and qemu's start), the bridge has no carrier: it must
 * still be found. It was not (Node's interface list skips interfaces without carrier): a new
 * virtual node got its tap, then at its second look after the boot delay found no bridge (then it
 * fell back to a direct 9p boot; now, virtual nodes being PXE only, it could not boot at all).
 */
describe.skipIf(skipUnless({ root: true, commands: ['ip'] }))('the walt-net bridge of virtual nodes', () => {
  beforeAll(() => {
    try {
      ip('netns', 'del', NS);
    } catch {
      /* not there */
    }
    ip('netns', 'add', NS);
    ip('-n', NS, 'link', 'add', BR, 'type', 'bridge');
    ip('-n', NS, 'addr', 'add', '192.168.167.1/24', 'dev', BR);
    ip('-n', NS, 'link', 'set', BR, 'up');
    // A virtual node's tap, its VM not running (between two boots): the bridge loses its carrier.
    ip('-n', NS, 'tuntap', 'add', 'dev', `${BR}t`, 'mode', 'tap');
    ip('-n', NS, 'link', 'set', `${BR}t`, 'master', BR, 'up');
  });
  afterAll(() => ip('netns', 'del', NS));

  it('is found while it has no carrier (its virtual nodes between two boots)', () => {
    const module = join(REPO, 'packages/core/dist/nodes/virtual-node-tap.js');
    const script = `import { waltNetBridge } from ${JSON.stringify(module)}; console.log(waltNetBridge('192.168.167.1') ?? 'none')`;
    const found = execFileSync('ip', ['netns', 'exec', NS, process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 }).trim();
    expect(found).toBe(BR);
  });
});
