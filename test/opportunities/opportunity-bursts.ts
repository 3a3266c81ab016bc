import type { GhlStandIn, OpportunityEventType } from '../support/ghl-stand-in.js';

/**
 * One opportunity's life as GHL reports it: each UI action fires a burst of events (GoHighLevel
 * highlevel-api-docs issue 27): create → Create + Update; stage change → Update + StageUpdate;
 * status won → Update + StatusUpdate; delete → Delete + Update (the Update a little after).
 */
export function opportunityBursts(
  ghl: GhlStandIn,
  ids: { id: string; contactId: string },
  startedAt: number,
): Record<string, unknown>[][] {
  const at = (ms: number) => new Date(startedAt + ms).toISOString();
  const state = (stage: string, status: string) => ({
    ...ids,
    name: 'Twelve-week coaching',
    monetaryValue: 1200,
    pipelineId: 'pipeline-sales',
    pipelineStageId: stage,
    status,
  });
  const event = (type: OpportunityEventType, ms: number, fields: object) =>
    ghl.opportunityEvent(type, { ...fields, timestamp: at(ms) });
  const opened = state('stage-lead', 'open');
  const moved = state('stage-call', 'open');
  const won = state('stage-call', 'won');
  return [
    [event('OpportunityCreate', 0, opened), event('OpportunityUpdate', 3, opened)],
    [event('OpportunityUpdate', 1_000, moved), event('OpportunityStageUpdate', 1_000, moved)],
    [event('OpportunityUpdate', 2_000, won), event('OpportunityStatusUpdate', 2_002, won)],
    [event('OpportunityDelete', 3_000, won), event('OpportunityUpdate', 3_005, won)],
  ];
}

/** Every permutation of `items`. */
export function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) =>
    permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]),
  );
}

/**
 * Every order of the bursts, each burst's own two events in either order: 4! × 2⁴ = 384 orders of
 * the eight events, returned as index paths into the flattened list.
 */
export function burstOrders(burstCount = 4): number[][] {
  const bursts = Array.from({ length: burstCount }, (_, burst) => [burst * 2, burst * 2 + 1]);
  const orders: number[][] = [];
  for (const burstOrder of permutations(bursts)) {
    for (let flips = 0; flips < 2 ** burstCount; flips++) {
      orders.push(burstOrder.flatMap((pair, index) => ((flips >> index) & 1 ? [pair[1]!, pair[0]!] : pair)));
    }
  }
  return orders;
}
