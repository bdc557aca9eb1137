import { describe, expect, it } from 'vitest';
import { isNoLinkLocalYet } from './router-advertisements.js';

describe('router advertisements: a send error', () => {
  it('EADDRNOTAVAIL is "no link-local address yet" (tentative right after walt-net comes up), not a server error', () => {
    // The addon's wording (router_advertiser.c: describe_errno).
    expect(isNoLinkLocalYet('advertisement to ff02::1: Cannot assign requested address (EADDRNOTAVAIL)')).toBe(true);
    expect(isNoLinkLocalYet('advertisement to ff02::1: Network is unreachable (ENETUNREACH)')).toBe(false);
    expect(isNoLinkLocalYet('')).toBe(false);
  });
});
