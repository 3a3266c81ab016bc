import { describe, expect, it } from 'vitest';
import { parseDurationList, parseDurationSeconds } from './duration.js';

describe('parseDurationSeconds', () => {
  it.each([
    ['90', 90],
    ['30s', 30],
    ['1m', 60],
    ['15m', 900],
    ['1h', 3600],
    ['6h', 21_600],
    ['2d', 172_800],
    ['1.5m', 90],
    [' 5M ', 300],
  ])('%j is %i seconds', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });

  it.each(['', '0', '0s', '-1m', 'm', '5 minutes', '1w', '1h30m', 'abc'])('%j is not a duration', (text) => {
    expect(parseDurationSeconds(text)).toBeUndefined();
  });
});

describe('parseDurationList', () => {
  it('reads the product default schedule', () => {
    expect(parseDurationList('1m,5m,15m,1h,6h')).toEqual([60, 300, 900, 3600, 21_600]);
  });

  it('accepts bare seconds for fast tests', () => {
    expect(parseDurationList('1, 2,3')).toEqual([1, 2, 3]);
  });

  it.each(['', '1m,,5m', '1m,x', '1m,'])('rejects %j as a whole', (text) => {
    expect(parseDurationList(text)).toBeUndefined();
  });
});
