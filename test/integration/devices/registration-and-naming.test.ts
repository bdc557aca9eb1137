import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevicesServer, type DevicesServer } from './devices-test-kit.js';

describe('registration entry point, naming, rename, forget (walt CLI against a real server)', () => {
  let s: DevicesServer;
  beforeAll(async () => {
    s = await startDevicesServer();
  });
  afterAll(async () => {
    await s?.stop();
  });

  it("the seed's scenario: a new rpi node is logged, free in `walt node show --all`, then renamed", async () => {
    const r = await s.register({ mac: 'b8:27:eb:f2:67:82', ip: '192.168.152.14', vendorClass: 'walt.node.rpi-3-b-plus' });
    expect(r.device).toMatchObject({ name: 'node-f26782', type: 'node', model: 'rpi-3-b-plus', image: 'waltplatform/rpi-3-b-plus-default:latest' });
    // The line users grep for (walt log show --platform prints it as walt-server.platform.devices -> ...).
    expect(s.platformLines('platform.devices')).toContain('new node name=node-f26782 model=rpi-3-b-plus mac=b8:27:eb:f2:67:82 ip=192.168.152.14');
    // ...and as the seed shows it, through the logs engineer's `walt log show`.
    expect(await s.ok(['log', 'show', '--platform', '--history', '-5m:'])).toMatch(
      /^\d\d:\d\d:\d\d\.\d{6} walt-server\.platform\.devices -> new node name=node-f26782 model=rpi-3-b-plus mac=b8:27:eb:f2:67:82 ip=192\.168\.152\.14$/m,
    );

    const before = await s.ok(['node', 'show', '--all']);
    expect(before).toContain('The following nodes are currently free:');
    expect(before).toMatch(/node-f26782\s+physical\s+rpi-3-b-plus\s+192\.168\.152\.14\s+LAN\s+NO/);
    expect(await s.ok(['node', 'show'])).toContain('You currently do not own any nodes.');

    expect(await s.ok(['device', 'rename', 'node-f26782', 'rpi3bp-412-A'])).toBe('Device node-f26782 was renamed to rpi3bp-412-A.\n');
    const after = await s.ok(['node', 'show', '--all']);
    expect(after).toMatch(/rpi3bp-412-A\s+physical\s+rpi-3-b-plus/);
    expect(after).not.toContain('node-f26782');
    expect((await s.ok(['node', 'show', '--all', '--names-only'])).trim().split('\n')).toContain('rpi3bp-412-A');
  });

  it('names unknown devices unknown-<6 hex>, then -2, -3 on collision, and logs them (ip=None when unknown)', async () => {
    const a = await s.register({ mac: '02:00:00:12:34:56', ip: '192.168.152.20' });
    const b = await s.register({ mac: '04:00:00:12:34:56', ip: '192.168.152.21' });
    const c = await s.register({ mac: '06:00:00:12:34:56', ip: null });
    expect([a.device.name, b.device.name, c.device.name]).toEqual(['unknown-123456', 'unknown-123456-2', 'unknown-123456-3']);
    const lines = s.platformLines('platform.devices');
    expect(lines).toContain('new device name=unknown-123456 type=unknown mac=02:00:00:12:34:56 ip=192.168.152.20');
    expect(lines).toContain('new device name=unknown-123456-3 type=unknown mac=06:00:00:12:34:56 ip=None');
    const show = await s.ok(['device', 'show']);
    expect(show).toContain('WalT also detected the following devices but could not detect their type:');
    expect(show).toMatch(/unknown-123456-2\s+192\.168\.152\.21\s+04:00:00:12:34:56\s+unknown/);
  });

  it('uses <dhcp-hostname>-<6 hex> when a host name was sent, else the generated name', async () => {
    expect((await s.register({ mac: '00:11:22:e7:b3:a7', ip: '192.168.152.30', hostName: 'EcoSignal-LoraGW.lab.example' })).device.name).toBe(
      'ecosignal-loragw-e7b3a7',
    );
    expect((await s.register({ mac: '00:11:22:e7:b3:a8', ip: '192.168.152.31', hostName: 'gw-e7b3a8' })).device.name).toBe('gw-e7b3a8');
    expect((await s.register({ mac: '00:11:22:e7:b3:a9', ip: '192.168.152.32', hostName: 'my_box' })).device.name).toBe('my-box-e7b3a9');
    // Not a valid host name (starts with a digit): the generated name.
    expect((await s.register({ mac: '00:11:22:e7:b3:aa', ip: '192.168.152.33', hostName: '42' })).device.name).toBe('unknown-e7b3aa');
  });

  it('converts an unknown device that identifies as a node, renamed for clarity, with the exact lines', async () => {
    await s.register({ mac: '52:54:01:aa:bb:01', ip: '192.168.152.40' });
    const r = await s.register({ mac: '52:54:01:aa:bb:01', ip: '192.168.152.99', userClass: 'walt.node.pc-x86-64' });
    expect(r.converted).toBe(true);
    expect(r.messages).toEqual(['Renaming unknown-aabb01 to node-aabb01 for clarity.']);
    expect(r.device).toMatchObject({ name: 'node-aabb01', type: 'node', model: 'pc-x86-64', image: 'waltplatform/pc-x86-64-default:latest' });
    expect(r.device.ip).toBe('192.168.152.40'); // the IP is sticky
    const lines = s.platformLines('platform.devices');
    expect(lines).toContain('renamed unknown-aabb01 to node-aabb01 for clarity');
    expect(lines).toContain('new node (device type previously unknown) name=node-aabb01 model=pc-x86-64 mac=52:54:01:aa:bb:01 ip=192.168.152.40');
    // A device named from its host name keeps its name.
    await s.register({ mac: '00:11:22:e7:b3:a7', ip: null, vendorClass: 'walt.node.pc-x86-64' });
    expect((await s.device('ecosignal-loragw-e7b3a7'))?.type).toBe('node');
  });

  /** Poll (bounded) until `check` holds: conversions after a default-image pull are asynchronous. */
  async function eventually(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  it('records a node whose default image is not local as unknown, then converts it once the image is fetched', async () => {
    s.writeImage('waltplatform/qemu-arm-64-default:latest', ['qemu-arm-64']); // appears after start: not known as local
    const r = await s.register({ mac: '02:00:00:00:00:a1', ip: '192.168.152.161', vendorClass: 'walt.node.qemu-arm-64' });
    expect(r.device).toMatchObject({ name: 'unknown-0000a1', type: 'unknown' });
    await eventually(async () => (await s.device('node-0000a1'))?.type === 'node', 'the conversion to a node');
    const lines = s.platformLines('platform.devices');
    const at = lines.indexOf('new device name=unknown-0000a1 type=unknown mac=02:00:00:00:00:a1 ip=192.168.152.161');
    expect(at).toBeGreaterThanOrEqual(0);
    expect(lines.slice(at)).toEqual(
      expect.arrayContaining([
        "Device unknown-0000a1 is a walt node of type 'qemu-arm-64'.",
        "Trying to download a default image for 'qemu-arm-64' nodes: waltplatform/qemu-arm-64-default:latest...",
        'Image waltplatform/qemu-arm-64-default:latest was downloaded successfully.',
        'renamed unknown-0000a1 to node-0000a1 for clarity',
        'new node (device type previously unknown) name=node-0000a1 model=qemu-arm-64 mac=02:00:00:00:00:a1 ip=192.168.152.161',
      ]),
    );
  });

  it('keeps a node whose default image cannot be had as unknown, and says so', async () => {
    const r = await s.register({ mac: '02:00:00:00:00:a2', ip: '192.168.152.162', vendorClass: 'walt.node.nanopi-r5c' });
    expect(r.device.type).toBe('unknown');
    await eventually(
      () => s.platformLines('platform.devices').includes("New nanopi-r5c nodes will be seen as devices of type 'unknown' until this is solved."),
      'the failure lines',
    );
    expect((await s.device('unknown-0000a2'))?.type).toBe('unknown');
  });

  it('moves a sticky IP into walt-net, never out of it', async () => {
    await s.register({ mac: '02:00:00:00:00:71', ip: '10.0.0.5' });
    await s.register({ mac: '02:00:00:00:00:71', ip: '192.168.152.71' });
    expect((await s.device('unknown-000071'))?.ip).toBe('192.168.152.71');
    await s.register({ mac: '02:00:00:00:00:71', ip: '10.0.0.6' });
    expect((await s.device('unknown-000071'))?.ip).toBe('192.168.152.71');
  });

  it('refuses bad registrations with a one-line error and stores nothing', async () => {
    const count = (await s.devices()).length;
    for (const [body, message] of [
      [{ mac: 'zz:00:00:00:00:01', ip: '192.168.152.50' }, 'invalid MAC address'],
      [{ mac: '02:00:00:00:00:51', ip: '300.1.1.1' }, "invalid IPv4 address '300.1.1.1'"],
      [{ mac: '02:00:00:00:00:52', ip: '192.168.152.52', vendorClass: 'walt.node.Bad_Model' }, "invalid node model 'Bad_Model'"],
      [{ ip: '192.168.152.53' }, "missing or invalid field 'mac'"],
      ['not an object', 'must be a JSON object'],
    ] as const) {
      const r = await s.api('POST', '/api/v1/devices/register', body);
      expect(r.status).toBe(400);
      expect(r.body.error.message).toContain(message);
      expect(r.body.error.message).not.toContain('\n');
    }
    expect((await s.devices()).length).toBe(count);
  });

  it('applies the rename rule: >= 2 chars, a letter first, letters digits and -, unique; nothing changes on refusal', async () => {
    await s.register({ mac: '02:00:00:00:00:81', ip: '192.168.152.81' });
    for (const bad of ['x', '1abc', 'a_b', 'a.b', '-ab']) {
      const line = await s.fails(['device', 'rename', '--', 'unknown-000081', bad]);
      expect(line).toContain('invalid new name');
      expect(line).toContain('example: rpi-D327');
    }
    expect(await s.fails(['device', 'rename', 'unknown-000081', 'rpi3bp-412-A'])).toBe("Error: a device with name 'rpi3bp-412-A' already exists.");
    expect(await s.fails(['device', 'rename', 'unknown-000081', 'all-nodes'])).toContain('device set keyword');
    expect(await s.fails(['device', 'rename', 'ghost', 'ghost2'])).toBe("Error: No device with name 'ghost' found.");
    expect(await s.fails(['device', 'rename', 'walt-server', 'my-server'])).toContain('is the WalT server');
    const names = (await s.devices()).map((d) => d.name);
    expect(names).toContain('unknown-000081');
    expect(names).toContain('walt-server');
    expect(names).not.toContain('ghost2');
    await s.ok(['device', 'rename', 'unknown-000081', 'Lab-Sensor-2']);
    expect((await s.device('Lab-Sensor-2'))?.mac).toBe('02:00:00:00:00:81');
  });

  it('walt node rename renames nodes only', async () => {
    expect(await s.fails(['node', 'rename', 'Lab-Sensor-2', 'sensor'])).toBe('Error: Lab-Sensor-2 is not a node, it is an unknown device.');
    expect(await s.fails(['node', 'rename', 'rpi3bp-412-A', '9'])).toContain('invalid new name');
    await s.ok(['node', 'rename', 'rpi3bp-412-A', 'rpi3bp-412-B']);
    await s.ok(['node', 'rename', 'rpi3bp-412-B', 'rpi3bp-412-A']);
    expect((await s.device('rpi3bp-412-A'))?.type).toBe('node');
  });

  it('forget refuses a device with logs unless --force, and then deletes the device and its logs', async () => {
    const mac = '02:00:00:00:00:91';
    await s.register({ mac, ip: '192.168.152.91' });
    s.insertLines(mac, 'experiment', ['run 1 started', 'run 1 done']);
    const line = await s.fails(['device', 'forget', 'unknown-000091']);
    expect(line).toContain('would delete 2 log lines');
    expect(line).toContain('--force');
    expect(await s.device('unknown-000091')).toBeDefined();
    expect(s.countLines(mac)).toBe(2);

    const serverLines = s.platformLines('platform.devices').length;
    expect(await s.ok(['device', 'forget', '--force', 'unknown-000091'])).toContain('Device unknown-000091 was forgotten (with 2 log lines).');
    expect(await s.device('unknown-000091')).toBeUndefined();
    expect(s.countLines(mac)).toBe(0);
    expect(s.platformLines('platform.devices').length).toBe(serverLines); // others' logs are kept

    // Seen again: a new device, logged again.
    await s.register({ mac, ip: '192.168.152.91' });
    expect(s.platformLines('platform.devices').filter((l) => l.startsWith('new device name=unknown-000091 ')).length).toBe(2);
  });

  it('forget ignores console streams when counting, and refuses the server and unknown names', async () => {
    const mac = '02:00:00:00:00:92';
    await s.register({ mac, ip: '192.168.152.92' });
    s.insertLines(mac, 'netconsole', ['U-Boot 2024.01']);
    expect(await s.ok(['device', 'forget', 'unknown-000092'])).toContain('was forgotten');
    expect(s.countLines(mac)).toBe(0);
    expect(await s.fails(['device', 'forget', 'walt-server'])).toContain('cannot be forgotten');
    expect(await s.fails(['device', 'forget', 'ghost'])).toBe("Error: No device with name 'ghost' found.");
    expect((await s.devices()).some((d) => d.type === 'server')).toBe(true);
  });

  it('device show lists the type labels and drops empty columns', async () => {
    const out = await s.ok(['device', 'show']);
    expect(out).toMatch(/^name\s+ip\s+mac\s+type\s+netsetup$/m);
    expect(out).toMatch(/walt-server\s+192\.168\.152\.1\s+\S+\s+server\s*$/m);
    expect(out).toMatch(/rpi3bp-412-A\s+192\.168\.152\.14\s+b8:27:eb:f2:67:82\s+node \(physical\)\s+LAN/);
    // the outside-walt-net device gets no netsetup
    expect(out).toContain("tips:\n- use 'walt device tree' for a tree view of the network");
  });
});
