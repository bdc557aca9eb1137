import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevicesServer, type DevicesServer } from './devices-test-kit.js';

/** A TCP port the test process holds, so the server cannot bind it. */
function holdPort(): Promise<{ port: number; server: Server }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen({ port: 0, host: '0.0.0.0', exclusive: true }, () => {
      resolve({ port: (server.address() as { port: number }).port, server });
    });
  });
}

describe('walt device config / walt node config (with a plugin contributing model settings)', () => {
  let s: DevicesServer;
  const conf = async (name: string) => (await s.device(name))?.conf;

  beforeAll(async () => {
    s = await startDevicesServer({ plugin: true });
    const names: Array<[string, string, string | undefined]> = [
      ['b8:27:eb:00:01:01', 'n1', 'walt.node.rpi-3-b-plus'],
      ['b8:27:eb:00:01:02', 'n2', 'walt.node.rpi-3-b-plus'],
      ['02:00:00:00:01:03', 'tb1', 'walt.node.test-board'],
      ['02:00:00:00:01:04', 'sw1', undefined],
      ['02:00:00:00:01:05', 'sw2', undefined],
    ];
    for (const [mac, name, vendorClass] of names) {
      const r = await s.register({ mac, ip: `192.168.152.${100 + Number(mac.slice(-1))}`, vendorClass });
      await s.ok(['device', 'rename', r.device.name, name]);
    }
    await s.ok(['device', 'config', 'sw1,sw2', 'type=switch']);
    await s.register({ mac: '02:00:00:00:01:06', ip: '10.1.2.3' }); // outside walt-net: unknown-000106
    await s.register({ mac: '02:00:00:00:01:07', ip: '192.168.152.107' }); // unknown-000107
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('shows the settings of each kind of device, grouped when identical', async () => {
    expect(await s.ok(['device', 'config', 'n1,n2'])).toBe(
      'Nodes n1 and n2 have the following config applied:\n' +
        'boot.retries=9\nboot.timeout=180\nexpose=none\nkexec.allow=true\nmount.persist=true\nnetsetup=LAN\n',
    );
    expect(await s.ok(['device', 'config', 'sw1'])).toBe(
      'Switch sw1 has the following config applied:\n' +
        'expose=none\nlldp.explore=false\nnetsetup=LAN\npoe.reboots=false\nsnmp.community=<unspecified>\nsnmp.version=<unspecified>\n',
    );
    expect(await s.ok(['device', 'config', 'unknown-000106'])).toBe('Device unknown-000106 has the following config applied:\ntype=unknown\n');
    expect(await s.ok(['device', 'config', 'server'])).toBe('Server has no config option available.\n');
    const all = await s.ok(['device', 'config', 'all-devices']);
    expect(all.split('\n\n')).toHaveLength(6); // n1+n2, tb1, sw1+sw2, two unknown, server
    expect(all).toContain('Switches sw1 and sw2 have the following config applied:');
    const json = JSON.parse(await s.ok(['node', 'config', 'n1', '--json']));
    expect(json).toEqual([expect.objectContaining({ devices: ['n1'], lines: expect.arrayContaining(['boot.timeout=180']) })]);
  });

  it('lists the settings a plugin contributes for its model, with their defaults', async () => {
    expect((await s.device('tb1'))?.image).toBe('waltplatform/test-boards:latest'); // NodeModel.defaultImage
    expect(await s.ok(['node', 'config', 'tb1'])).toBe(
      'Node tb1 has the following config applied:\n' +
        'boot.retries=9\nboot.timeout=180\nconsole.baud=115200\nexpose=none\nfan.level=1\nkexec.allow=true\nled.blink=false\nmount.persist=true\nnetsetup=LAN\n',
    );
  });

  it('sets every node setting with value parsing, and says when a reboot is needed', async () => {
    expect(await s.ok(['node', 'config', 'n1', 'netsetup=nat', 'boot.timeout=none', 'boot.retries=3', 'kexec.allow=FALSE'])).toBe(
      'Done. Reboot node(s) to see new settings in effect.\n',
    );
    expect(await conf('n1')).toEqual({ netsetup: 'NAT', 'boot.timeout': null, 'boot.retries': 3, 'kexec.allow': false });
    expect(await s.ok(['device', 'config', 'n1', 'boot.timeout=600'])).toBe('Done.\n');
    expect(await s.ok(['device', 'config', 'n1', 'mount.persist=false'])).toBe('Done. Reboot node(s) to see new settings in effect.\n');
    const shown = await s.ok(['node', 'config', 'n1']);
    expect(shown).toContain('netsetup=NAT\n');
    expect(shown).toContain('boot.timeout=600\n');
    expect(shown).toContain('kexec.allow=false\n');
    expect(await s.ok(['device', 'show'])).toMatch(/n1\s+192\.168\.152\.101\s+b8:27:eb:00:01:01\s+node \(physical\)\s+NAT/);
    await s.ok(['node', 'config', 'n1', 'boot.timeout=none']);
    expect(await s.ok(['node', 'config', 'n1'])).toContain('boot.timeout=none\n');
  });

  it('refuses invalid values, one line each, and changes nothing', async () => {
    const before = await conf('n2');
    const cases: Array<[string[], string]> = [
      [['n2', 'netsetup=WAN'], "Error: netsetup value should be 'NAT' or 'LAN'."],
      [['n2', 'boot.timeout=30'], 'Error: a boot timeout of 30s is probably too small for some OS images: only "none" and values of at least 60 are allowed.'],
      [['n2', 'boot.timeout=soon'], "Error: 'soon' is not a valid value for boot.timeout"],
      [['n2', 'boot.retries=-1'], "Error: '-1' is not a valid value for boot.retries"],
      [['n2', 'kexec.allow=yes'], "Error: setting 'kexec.allow' only allows values 'true' or 'false'."],
      [['n2', 'expose=http'], "Error: 'http' is not a valid value for expose"],
      [['n2', 'expose=80:18080,81:18080'], 'Error: server port 18080 is used twice'],
      [['n2', 'frobnicate=1'], "Error: Unknown setting 'frobnicate'. See: 'walt help show device-config'"],
      [['n2', 'netsetup'], 'Error: Please provide settings as `<setting name>=<setting value>` arguments.'],
      [['n2', 'netsetup=NAT', 'netsetup=LAN'], "Error: setting 'netsetup' is given twice."],
      [['sw1', 'snmp.version=3'], "Error: value of setting 'snmp.version' should be '1' or '2'."],
      [['unknown-000107', 'type=node'], "Error: setting 'type' only allows value 'switch' (and only on unknown devices)."],
    ];
    for (const [args, message] of cases) expect(await s.fails(['device', 'config', ...args])).toContain(message);
    expect(await conf('n2')).toEqual(before);
    expect((await s.device('unknown-000107'))?.type).toBe('unknown');
  });

  it('checks which devices a setting applies to', async () => {
    expect(await s.fails(['device', 'config', 'n1,n2', 'snmp.version=2'])).toBe(
      "Error: Devices n1 and n2 are not switches, so 'snmp.version' setting cannot be applied.",
    );
    expect(await s.fails(['device', 'config', 'sw1', 'boot.retries=2'])).toBe("Error: Device sw1 is not a node, so 'boot.retries' setting cannot be applied.");
    expect(await s.fails(['device', 'config', 'n1', 'type=switch'])).toContain("setting 'type' can only be applied to unknown devices");
    expect(await s.fails(['device', 'config', 'n1,sw1', 'ram=1G'])).toBe(
      "Error: Device sw1 is not a node, and node n1 is not virtual, so 'ram' setting is not supported.",
    );
    for (const [setting, value] of [
      ['cpu.cores', '2'],
      ['disks', '8G'],
      ['networks', 'walt-net'],
      ['boot.delay', '3'],
    ]) {
      expect(await s.fails(['node', 'config', 'n2', `${setting}=${value}`])).toBe(`Error: Node n2 is not virtual, so '${setting}' setting is not supported.`);
    }
    expect(await s.fails(['device', 'config', 'server,unknown-000106', 'netsetup=NAT'])).toBe(
      "Error: Device unknown-000106 is not a device managed inside walt-net, and walt-server is the WALT server, so 'netsetup' setting cannot be applied.",
    );
  });

  it('all or nothing: one bad setting and none is applied', async () => {
    const before = await conf('n2');
    expect(await s.fails(['device', 'config', 'n2', 'netsetup=NAT', 'boot.timeout=30'])).toContain('boot timeout of 30s');
    expect(await s.fails(['device', 'config', 'n2,sw1', 'netsetup=NAT', 'boot.retries=1'])).toContain('sw1 is not a node');
    expect(await conf('n2')).toEqual(before);
    expect(await conf('sw1')).toEqual({});
  });

  it('lldp.explore needs the snmp settings, poe.reboots needs lldp.explore', async () => {
    expect(await s.fails(['device', 'config', 'sw1', 'lldp.explore=true'])).toContain('lldp.explore=true needs snmp.version and snmp.community on device sw1');
    expect(await s.fails(['device', 'config', 'sw1', 'lldp.explore=true', 'snmp.version=2'])).toContain('needs snmp.version and snmp.community');
    expect(await s.fails(['device', 'config', 'sw1', 'poe.reboots=true'])).toContain('poe.reboots=true needs lldp.explore=true on device sw1');
    expect(await conf('sw1')).toEqual({});
    expect(await s.ok(['device', 'config', 'sw1', 'snmp.version=1', 'snmp.community=private'])).toBe('Done.\n');
    expect(await s.ok(['device', 'config', 'sw1', 'lldp.explore=true'])).toBe('Done.\n');
    expect(await s.ok(['device', 'config', 'sw1', 'poe.reboots=true'])).toBe('Done.\n');
    expect(await conf('sw1')).toEqual({ 'snmp.version': 1, 'snmp.community': 'private', 'lldp.explore': true, 'poe.reboots': true });
    expect(await s.ok(['device', 'config', 'sw2', 'lldp.explore=true', 'poe.reboots=true', 'snmp.version=2', 'snmp.community=public'])).toBe('Done.\n');
  });

  it('type=switch turns an unknown device into a switch, renamed for clarity, with switch settings in the same command', async () => {
    expect(
      await s.ok(['device', 'config', 'unknown-000107', 'type=switch', 'snmp.version=2', 'snmp.community=public', 'lldp.explore=true']),
    ).toBe('Renaming unknown-000107 to switch-000107 for clarity.\nDone.\n');
    const sw = await s.device('switch-000107');
    expect(sw).toMatchObject({ type: 'switch', conf: { 'snmp.version': 2, 'snmp.community': 'public', 'lldp.explore': true } });
    expect(sw?.conf).not.toHaveProperty('type');
    const lines = s.platformLines('platform.devices');
    expect(lines).toContain('renamed unknown-000107 to switch-000107 for clarity');
    expect(lines).toContain('new switch (device type previously unknown) name=switch-000107 mac=02:00:00:00:01:07 ip=192.168.152.107');
    // A set mixing an unknown device and a node: refused, the unknown device stays unknown.
    expect(await s.fails(['device', 'config', 'unknown-000106,n1', 'type=switch'])).toContain("setting 'type' can only be applied to unknown devices");
    expect((await s.device('unknown-000106'))?.type).toBe('unknown');
  });

  it('expose: one device only, server ports not taken by another device nor in use on the server', async () => {
    const held = await holdPort();
    try {
      const free = await holdPort();
      const port = free.port;
      await new Promise<void>((r) => free.server.close(() => r()));
      expect(await s.fails(['device', 'config', 'n1,n2', `expose=80:${port}`])).toBe('Error: cannot expose the same server port for several devices.');
      expect(await s.fails(['device', 'config', 'n2', `expose=22:${held.port}`])).toContain(`server port ${held.port} cannot be used`);
      expect(await s.ok(['device', 'config', 'n2', `expose=80:${port}`])).toBe('Done.\n');
      expect((await conf('n2'))?.expose).toBe(`80:${port}`);
      expect(await s.fails(['device', 'config', 'n1', `expose=8080:${port}`])).toBe(`Error: server port ${port} is already exposed for device n2.`);
      expect(await s.ok(['device', 'config', 'n1,n2', 'expose=none'])).toBe('Done.\n');
    } finally {
      await new Promise<void>((r) => held.server.close(() => r()));
    }
  });

  it('validates plugin settings with the SDK schema, on nodes of that model only', async () => {
    expect(await s.ok(['node', 'config', 'tb1', 'console.baud=9600', 'led.blink=TRUE', 'fan.level=3'])).toBe(
      'Done. Reboot node(s) to see new settings in effect.\n',
    );
    expect(await conf('tb1')).toEqual({ 'console.baud': '9600', 'led.blink': true, 'fan.level': 3 });
    expect(await s.fails(['node', 'config', 'tb1', 'console.baud=300'])).toBe("Error: setting 'console.baud' allows '9600', '115200', got '300'.");
    expect(await s.fails(['node', 'config', 'tb1', 'fan.level=5'])).toBe("Error: setting 'fan.level' must be at most 3.");
    expect(await s.fails(['node', 'config', 'tb1,n1', 'led.blink=false'])).toBe(
      "Error: Device n1 does not provide setting 'led.blink' (it is a setting of test-board nodes).",
    );
    expect(await conf('tb1')).toEqual({ 'console.baud': '9600', 'led.blink': true, 'fan.level': 3 });
  });

  it("asks before changing another user's node: --yes needed without a terminal", async () => {
    await s.okRebootFailing(['node', 'acquire', 'tb1'], 'bob');
    expect(await s.fails(['node', 'config', 'tb1', 'led.blink=false'], 'alice')).toBe(
      'Error: Node tb1 seems to be used by another user: use --yes to act on it anyway.',
    );
    expect(await s.fails(['device', 'config', 'tb1,n1', 'netsetup=NAT'], 'alice')).toContain('use --yes');
    expect((await conf('tb1'))?.['led.blink']).toBe(true);
    expect(await s.ok(['node', 'config', 'tb1'], 'alice')).toContain('led.blink=true'); // showing needs no confirmation
    expect(await s.ok(['node', 'config', '--yes', 'tb1', 'led.blink=false'], 'alice')).toContain('Done.');
    expect((await conf('tb1'))?.['led.blink']).toBe(false);
    expect(await s.ok(['node', 'config', 'tb1', 'led.blink=true'], 'bob')).toContain('Done.');
  });
});
