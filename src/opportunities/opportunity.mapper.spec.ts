import { describe, expect, it } from 'vitest';
import { mapGhlOpportunity, mapOpportunityStatus } from './opportunity.mapper.js';

describe('opportunity mapper', () => {
  it.each([
    ['open', 'OPEN'],
    ['won', 'WON'],
    ['lost', 'LOST'],
    ['abandoned', 'ABANDONED'],
    ['Won', 'WON'],
    ['all', 'OPEN'],
    ['on-hold', 'OPEN'],
    [undefined, 'OPEN'],
  ])('maps status %j to %s', (raw, status) => {
    expect(mapOpportunityStatus(raw)).toBe(status);
  });

  it('maps the flat webhook and versions it by timestamp, then event key', () => {
    const change = mapGhlOpportunity(
      {
        id: 'wWhV',
        locationId: 've9E',
        contactId: 'cJAW',
        pipelineId: 'VDm7',
        pipelineStageId: 'e93b',
        status: 'won',
        monetaryValue: 40,
        name: ' Twelve weeks ',
        timestamp: '2026-11-29T10:00:00+01:00',
      },
      'webhook:abc',
    );
    expect(change).toEqual({
      ghlOpportunityId: 'wWhV',
      ghlLocationId: 've9E',
      ghlContactId: 'cJAW',
      ghlPipelineId: 'VDm7',
      ghlStageId: 'e93b',
      name: 'Twelve weeks',
      status: 'WON',
      statusRaw: 'won',
      monetaryValue: 40,
      upstreamUpdatedAt: new Date('2026-11-29T09:00:00.000Z'),
      version: '2026-11-29T09:00:00.000Z|webhook:abc',
    });
  });

  it('orders versions as text: later times first, ties by event key', () => {
    const at = (timestamp: string, key: string) =>
      mapGhlOpportunity({ id: 'o', locationId: 'l', timestamp }, key).version;
    expect(at('2026-11-29T10:00:00.001Z', 'webhook:a') > at('2026-11-29T10:00:00.000Z', 'webhook:z')).toBe(true);
    expect(at('2026-11-29T10:00:00Z', 'webhook:b') > at('2026-11-29T10:00:00Z', 'webhook:a')).toBe(true);
  });

  it('leaves out what the payload does not carry', () => {
    const change = mapGhlOpportunity({ id: 'o', locationId: 'l', timestamp: '2026-11-29T10:00:00Z' }, 'k');
    expect(change).toMatchObject({
      name: undefined,
      status: undefined,
      monetaryValue: undefined,
      ghlStageId: undefined,
    });
  });
});
