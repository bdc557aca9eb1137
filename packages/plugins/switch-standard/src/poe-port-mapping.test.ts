import { describe, expect, it } from 'vitest';
import { mapPoePorts } from './poe-port-mapping.js';

const speeds = (entries: Array<[number, number]>) => new Map(entries);

describe('mapPoePorts (the original WalT heuristic)', () => {
  it('zips ports with an ethernet speed and PoE indexes when there are as many', () => {
    const map = mapPoePorts({
      ifSpeed: speeds([[1, 1e9], [2, 1e8], [3, 1e9], [4, 1e10]]),
      ifType: speeds([[1, 6], [2, 6], [3, 6], [4, 6]]),
      poeIndexes: ['1.1', '1.2', '1.3'],
      host: 'sw',
    });
    expect(map).toEqual({ '1': '1.1', '2': '1.2', '3': '1.3' });
  });

  it('falls back to contiguous ethernetCsmacd interfaces, PoE ports first (unconnected ports report speed 0)', () => {
    const map = mapPoePorts({
      ifSpeed: speeds([[1, 1e9], [2, 0], [3, 0], [4, 1e9], [5, 0]]),
      ifType: speeds([[1, 6], [2, 6], [3, 6], [4, 6], [5, 6], [100, 24]]),
      poeIndexes: ['1.1', '1.2', '1.3', '1.4'],
      host: 'sw',
    });
    expect(map).toEqual({ '1': '1.1', '2': '1.2', '3': '1.3', '4': '1.4' });
  });

  it('matches same-size PoE groups with runs of contiguous ports', () => {
    const map = mapPoePorts({
      ifSpeed: speeds([[1, 1e9], [2, 1e9], [3, 1e9], [10, 1e9], [11, 1e9], [20, 1e9], [21, 1e9]]),
      ifType: speeds([[1, 6], [2, 6], [3, 6], [10, 6], [11, 6], [20, 6], [21, 6], [5, 6]]),
      poeIndexes: ['1.1', '1.2', '2.1', '2.2'],
      host: 'sw',
    });
    expect(map).toEqual({ '1': '1.1', '2': '1.2', '10': '2.1', '11': '2.2' });
  });

  it('says it cannot guess otherwise', () => {
    expect(() =>
      mapPoePorts({ ifSpeed: speeds([[1, 1e9], [3, 1e9]]), ifType: speeds([[1, 6], [3, 6]]), poeIndexes: ['1.1', '1.2', '1.3'], host: '10.0.0.9' }),
    ).toThrow('WalT could not guess how to correlate PoE ports and LLDP ports on switch 10.0.0.9. Sorry.');
  });
});
