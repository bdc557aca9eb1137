import { describe, expect, it } from 'vitest';
import { setUpWaltAdm, setUpWaltNet } from './interface-setup.js';
import { LinkCommandError, type LinkState, type LinkTool } from './link-tool.js';

/** An in-memory set of links (the plan's logic only; the real links are tested in namespaces). */
class FakeLinks implements LinkTool {
  readonly links = new Map<string, LinkState>();
  denied = false;
  constructor(...names: string[]) {
    for (const n of names) this.links.set(n, { name: n, kind: 'veth', up: false, addresses: [], altnames: [] });
  }
  list = () => [...this.links.values()].map((l) => ({ ...l, addresses: [...l.addresses] }));
  private check(cmd: string) {
    if (this.denied) throw new LinkCommandError(cmd, 'RTNETLINK answers: Operation not permitted');
  }
  addBridge = (name: string) => (this.check('add'), this.links.set(name, { name, kind: 'bridge', up: false, addresses: [], altnames: [] }));
  addVlan = (_raw: string, name: string) => (this.check('vlan'), this.links.set(name, { name, kind: 'vlan', up: false, addresses: [], altnames: [] }));
  addDummy = (name: string) => (this.check('dummy'), this.links.set(name, { name, kind: 'dummy', up: false, addresses: [], altnames: [] }));
  setMaster = (name: string, bridge: string) => (this.check('master'), (this.links.get(name)!.master = bridge));
  addAddress = (name: string, cidr: string) => (this.check('addr'), this.links.get(name)!.addresses.push(cidr));
  setUp = (name: string) => (this.check('up'), (this.links.get(name)!.up = true));
  addAltName = (name: string, alt: string) => (this.check('alt'), this.links.get(name)!.altnames.push(alt));
}

describe('walt-net set-up plan', () => {
  it('creates what is missing once; a second run changes nothing', () => {
    const links = new FakeLinks('eth1');
    const first = setUpWaltNet({ rawDevice: 'eth1', ip: '192.168.152.1/24' }, links);
    expect(first.error).toBeUndefined();
    expect(first.changes).toEqual([
      'ip link add name walt-net type bridge',
      'ip link set dev eth1 master walt-net',
      'ip link set dev eth1 up',
      'ip addr add 192.168.152.1/24 dev walt-net',
      'ip link set dev walt-net up',
    ]);
    const again = setUpWaltNet({ rawDevice: 'eth1', ip: '192.168.152.1/24' }, links);
    expect(again).toMatchObject({ interface: 'walt-net', changes: [] });
  });

  it('a raw device that is a port of another bridge is an error that changes nothing', () => {
    const links = new FakeLinks('eth1');
    links.links.get('eth1')!.master = 'br0';
    const r = setUpWaltNet({ rawDevice: 'eth1', ip: '192.168.152.1/24' }, links);
    expect(r.error).toMatch(/eth1 is already a port of br0/);
    expect(links.links.has('walt-net')).toBe(false);
  });

  it('an interface named walt-net that is not a bridge is reported, not reused', () => {
    const links = new FakeLinks('eth1', 'walt-net');
    expect(setUpWaltNet({ rawDevice: 'eth1', ip: '192.168.152.1/24' }, links).error).toMatch(/walt-net exists and is not a bridge/);
  });

  it('on a refused command, says which one and lists every command left', () => {
    const links = new FakeLinks();
    links.denied = true;
    const r = setUpWaltNet({ rawDevice: null, ip: '192.168.152.1/24' }, links, { bridgeMac: '52:54:00:01:02:03' });
    expect(r.error).toBe(
      'walt-net: cannot set up walt-net (ip link add name walt-net address 52:54:00:01:02:03 type bridge: RTNETLINK answers: Operation not permitted); run as root: ip link add name walt-net address 52:54:00:01:02:03 type bridge && ip link add name walt-net-dummy type dummy && ip link set dev walt-net-dummy master walt-net && ip link set dev walt-net-dummy up && ip addr add 192.168.152.1/24 dev walt-net && ip link set dev walt-net up',
    );
  });
});

describe('walt-adm set-up plan', () => {
  it('dhcp: brings the interface up and warns while it has no address', () => {
    const links = new FakeLinks('eth2');
    const r = setUpWaltAdm({ rawDevice: 'eth2', vlan: 40, ip: 'dhcp' }, links);
    expect(r.changes).toEqual(['ip link add link eth2 name eth2.40 type vlan id 40', 'ip link set dev eth2 up', 'ip link set dev eth2.40 up', 'ip link property add dev eth2.40 altname walt-adm']);
    expect(r.warning).toMatch(/eth2\.40 has no address yet .* dhclient eth2\.40/);
  });
});
