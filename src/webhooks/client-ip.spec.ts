import { describe, expect, it } from 'vitest';
import { clientIpOf, IpAllowlist } from './client-ip.js';

describe('clientIpOf', () => {
  it.each([
    [
      'the socket address without a configured header',
      '10.0.0.5',
      { 'x-forwarded-for': '1.2.3.4' },
      undefined,
      '10.0.0.5',
    ],
    ['an IPv4-mapped socket address as IPv4', '::ffff:10.0.0.5', {}, undefined, '10.0.0.5'],
    [
      'the last x-forwarded-for entry',
      '127.0.0.1',
      { 'x-forwarded-for': '6.6.6.6, 1.2.3.4' },
      'x-forwarded-for',
      '1.2.3.4',
    ],
    ['a single-value header', '127.0.0.1', { 'cf-connecting-ip': '2001:db8::1' }, 'cf-connecting-ip', '2001:db8::1'],
    ['the socket address when the header is missing', '127.0.0.1', {}, 'x-forwarded-for', '127.0.0.1'],
    [
      'repeated headers joined, last entry',
      '127.0.0.1',
      { 'x-forwarded-for': ['6.6.6.6', '5.5.5.5'] },
      'x-forwarded-for',
      '5.5.5.5',
    ],
  ])('takes %s', (_name, socket, headers, header, expected) => {
    expect(clientIpOf(socket, headers, header)).toBe(expected);
  });
});

describe('IpAllowlist', () => {
  const allowlist = new IpAllowlist(['10.0.0.0/8', '192.0.2.7', '2001:db8::/32']);
  it.each([
    ['10.255.1.2', true],
    ['11.0.0.1', false],
    ['192.0.2.7', true],
    ['192.0.2.8', false],
    ['2001:db8:abcd::1', true],
    ['2001:db9::1', false],
    ['not an ip', false],
    ['', false],
  ])('%s → %s', (address, allowed) => {
    expect(allowlist.allows(address)).toBe(allowed);
  });

  it('allows everything when empty', () => {
    expect(new IpAllowlist([]).allows('203.0.113.1')).toBe(true);
  });
});
