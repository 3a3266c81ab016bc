const SECONDS_PER_UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*([smhd]?)$/;

/** Parses `90`, `30s`, `5m`, `1h`, `2d` into whole seconds; a bare number means seconds. */
export function parseDurationSeconds(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text.trim().toLowerCase());
  if (!match) return undefined;
  const [, amount, unit] = match;
  const seconds = Math.round(Number(amount) * SECONDS_PER_UNIT[unit || 's']!);
  return seconds > 0 ? seconds : undefined;
}

/** Parses `1m,5m,15m,1h,6h`; undefined when any item is not a positive duration. */
export function parseDurationList(text: string): number[] | undefined {
  const items = text.split(',').map((item) => item.trim());
  if (items.length === 0 || items.some((item) => item === '')) return undefined;
  const seconds = items.map(parseDurationSeconds);
  return seconds.every((value) => value !== undefined) ? seconds : undefined;
}
