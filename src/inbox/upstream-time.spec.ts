import { describe, expect, it } from 'vitest';
import { PermanentSyncError } from '../dlq/sync-errors.js';
import { upstreamTimeOf } from './upstream-time.js';

describe('upstreamTimeOf', () => {
  it('takes the first candidate present', () => {
    expect(upstreamTimeOf('x', { dateUpdated: '2026-11-30T10:00:00Z', timestamp: '2026-11-30T11:00:00Z' })).toEqual(
      new Date('2026-11-30T10:00:00Z'),
    );
    expect(upstreamTimeOf('x', { dateUpdated: undefined, timestamp: '2026-11-30T11:00:00Z' })).toEqual(
      new Date('2026-11-30T11:00:00Z'),
    );
    expect(upstreamTimeOf('x', { dateUpdated: '', timestamp: '2026-11-30T11:00:00Z' })).toEqual(
      new Date('2026-11-30T11:00:00Z'),
    );
  });

  it.each([
    [{ dateUpdated: undefined, timestamp: null }, 'GHL contact c1 carries neither dateUpdated nor timestamp'],
    [{ timestamp: undefined }, 'GHL contact c1 carries no timestamp'],
    [{ dateUpdated: 'yesterday', timestamp: '2026-11-30T11:00:00Z' }, 'GHL contact c1 carries an unreadable time'],
  ])('refuses %j for good: %s', (candidates, message) => {
    const attempt = () => upstreamTimeOf('GHL contact c1', candidates);
    expect(attempt).toThrow(PermanentSyncError);
    expect(attempt).toThrow(message);
  });
});
