import { describe, expect, it } from 'vitest';
import { LinkTopology, BridgeTopology } from './link-topology.js';
import { humanReadableDelay, renderTree, type TreeDevice } from './tree-view.js';

const SRV = '52:54:00:00:00:01';
const MAIN = '02:00:00:00:00:10';
const D317 = '02:00:00:00:00:20';
const SW2 = '02:00:00:00:00:30';
const RPI2 = 'b8:27:eb:00:00:02';
const DEMO = 'b8:27:eb:00:00:03';
const UNK = 'aa:00:00:a1:b2:c3';

const devices = new Map<string, TreeDevice>([
  [SRV, { name: 'walt-server', type: 'server' }],
  [MAIN, { name: 'main-switch', type: 'switch' }],
  [D317, { name: 'switch-D317', type: 'switch' }],
  [SW2, { name: 'switch-2', type: 'switch' }],
  [RPI2, { name: 'rpi-D317-2', type: 'node' }],
  [DEMO, { name: 'rpi-demo', type: 'node' }],
  [UNK, { name: 'unknown-a1b2c3', type: 'unknown' }],
]);

function topology(): LinkTopology {
  const t = new LinkTopology();
  t.registerNeighbor(MAIN, 2, SRV);
  t.registerNeighbor(MAIN, 4, D317);
  t.registerNeighbor(MAIN, 7, SW2);
  t.registerNeighbor(D317, 3, RPI2);
  t.registerNeighbor(D317, 8, UNK);
  t.set(D317, DEMO, { port1: 7, port2: null, confirmed: false });
  return t;
}

const base = { devices, rootMac: MAIN, forbidden: new Set<string>(), portNames: new Map(), scanAgeSeconds: 65, unicode: true };

describe('walt device tree format', () => {
  it('prints the reference example (without --all: unknown hidden, empty switches pruned)', () => {
    expect(renderTree({ ...base, topology: topology(), showAll: false })).toBe(
      [
        '',
        '-- main-switch --',
        ' ├─2: walt-server',
        ' ├─4: -- switch-D317 --',
        ' │    ├─3: rpi-D317-2',
        ' │    └─7: (rpi-demo)',
        ' └─7: -- switch-2 --',
        '      └─[...] ~> no nodes there',
        '',
        'notes:',
        "- this view comes from last network scan, issued 1 minute and 5 seconds ago (use 'walt device rescan' to update)",
        '- devices marked with parentheses were not detected at last scan',
        '',
        'tips:',
        "- use 'walt device tree --all' to see all devices detected",
        "- use 'walt device show' for device details",
        "- use 'walt device config ...' (see walt help show device-config) to let WalT explore forbidden switches",
        "- use 'walt device rescan' to update",
        '',
      ].join('\n'),
    );
  });

  it('with --all shows unknown devices and does not prune', () => {
    const text = renderTree({ ...base, topology: topology(), showAll: true, forbidden: new Set([SW2]) });
    expect(text).toContain(' │    └─8: <? unknown-a1b2c3 ?>\n');
    expect(text).toContain(' └─7: -- switch-2 --\n\nnotes:');
    expect(text).toContain("- use 'walt device config <device> type=switch' to let WalT know a given device is a switch");
    expect(text).toContain('- type of devices marked with <? ... ?> is unknown');
  });

  it('marks forbidden switches, uses port names and ASCII when asked', () => {
    const text = renderTree({ ...base, topology: topology(), showAll: false, forbidden: new Set([SW2]), portNames: new Map([[MAIN, new Map([[4, 'wall-D317']])]]), unicode: false });
    expect(text).toContain(' |-4: -- switch-D317 --'.replace('4', 'wall-D317'));
    expect(text).toContain(' |-7: -- switch-2 --\n      |-[...] ~> forbidden (cf. walt device config)');
    expect(text).toContain(' |            |-3: rpi-D317-2');
  });

  it('shows a link back to an already printed switch when its port is known', () => {
    const t = topology();
    t.registerNeighbor(D317, 1, MAIN);
    expect(renderTree({ ...base, topology: t, showAll: false })).toContain(' │    ├─1: ~> back to -- main-switch --\n │    ├─3: rpi-D317-2');
  });

  it('says one note with a final dot', () => {
    const t = new LinkTopology();
    t.registerNeighbor(MAIN, 1, SRV);
    t.registerNeighbor(MAIN, 5, RPI2);
    expect(renderTree({ ...base, topology: t, showAll: false, scanAgeSeconds: 3 })).toContain(
      "note: this view comes from last network scan, issued 3 seconds ago (use 'walt device rescan' to update).\n",
    );
  });

  it('formats delays with two units at most', () => {
    expect(humanReadableDelay(0.2)).toBe('1 second');
    expect(humanReadableDelay(3725)).toBe('1 hour and 2 minutes');
  });
});

describe('topology merge', () => {
  it('places a switch without LLDP and its nodes through forwarding tables', () => {
    const types = new Map<string, string>([[SRV, 'server'], [MAIN, 'switch'], [SW2, 'switch'], [RPI2, 'node'], [DEMO, 'node']]);
    const lldp = new LinkTopology();
    lldp.registerNeighbor(MAIN, 1, SRV);
    const bridge = new BridgeTopology();
    // MAIN learns everything behind port 7 (SW2 and its nodes); SW2 learns the server behind its port 24.
    for (const m of [SW2, RPI2, DEMO]) bridge.registerNeighbor(MAIN, 7, m);
    bridge.registerNeighbor(MAIN, 1, SRV);
    bridge.registerNeighbor(SW2, 24, SRV);
    bridge.registerNeighbor(SW2, 24, MAIN);
    bridge.registerNeighbor(SW2, 3, RPI2);
    bridge.registerNeighbor(SW2, 5, DEMO);
    bridge.addConfirmed(lldp);
    const fromBridge = bridge.deduce(types);
    fromBridge.setConfirmAll(false);
    lldp.mergeOther(fromBridge);
    lldp.setConfirmAll(true);
    lldp.cleanup(new Set([RPI2, DEMO]));
    const links = [...lldp.entries()].map(([a, b, i]) => [a, b, i.port1, i.port2].join(' ')).sort();
    expect(links).toEqual(
      [
        [MAIN, SRV, 1, null],
        [MAIN, SW2, 7, 24],
        [SW2, RPI2, 3, null],
        [SW2, DEMO, 5, null],
      ]
        .map((l) => (l[0]! < l[1]! ? l : [l[1], l[0], l[3], l[2]]).join(' '))
        .sort(),
    );
  });

  it('breaks loops, dropping the oldest confirmed link', () => {
    const t = new LinkTopology();
    t.registerNeighbor(MAIN, 1, D317);
    t.registerNeighbor(D317, 2, SW2);
    t.registerNeighbor(SW2, 3, MAIN);
    const k = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);
    t.cleanup(new Set(), new Map([[k(MAIN, D317), 3], [k(D317, SW2), 2], [k(SW2, MAIN), 1]]));
    expect(t.links.size).toBe(2);
    expect(t.links.has(k(SW2, MAIN))).toBe(false);
  });
});
