import { BlockList, isIP } from 'node:net';

/**
 * The caller's address: the TCP peer, or, behind a proxy that sets `header`, the last entry of that
 * header (the one the nearest proxy added; entries before it are whatever the client claimed).
 */
export function clientIpOf(
  socketAddress: string,
  headers: Record<string, string | string[] | undefined>,
  header: string | undefined,
): string {
  if (header === undefined) return unmapped(socketAddress);
  const value = headers[header];
  const last = (Array.isArray(value) ? value.join(',') : (value ?? '')).split(',').at(-1)?.trim();
  return last ? unmapped(last) : unmapped(socketAddress);
}

/** `::ffff:10.0.0.1` is the IPv4 address 10.0.0.1 on a dual-stack socket. */
function unmapped(address: string): string {
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : undefined;
  return v4 !== undefined && isIP(v4) === 4 ? v4 : address;
}

/** WEBHOOK_IP_ALLOWLIST as Node's BlockList; an empty list allows every address. */
export class IpAllowlist {
  private readonly ranges = new BlockList();
  private readonly empty: boolean;

  constructor(entries: readonly string[]) {
    this.empty = entries.length === 0;
    for (const entry of entries) {
      const [address = '', prefix] = entry.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) this.ranges.addAddress(address, family);
      else this.ranges.addSubnet(address, Number(prefix), family);
    }
  }

  allows(address: string): boolean {
    if (this.empty) return true;
    const family = isIP(address);
    if (family === 0) return false;
    return this.ranges.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}
