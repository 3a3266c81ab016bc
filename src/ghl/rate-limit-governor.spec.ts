import { describe, expect, it } from 'vitest';
import { burstLimitFor } from './rate-limit-governor.js';

describe('burstLimitFor', () => {
  it.each([
    ['backfill', 100, 100],
    ['webhook', 100, 100],
    ['outbound', 100, 90],
    ['outbound', 10, 9],
    ['outbound', 5, 4],
    // A burst of one cannot be shared: outbound still gets its request.
    ['outbound', 1, 1],
  ] as const)('%s of a burst of %i may hold %i', (purpose, burst, limit) => {
    expect(burstLimitFor(purpose, burst)).toBe(limit);
  });
});
