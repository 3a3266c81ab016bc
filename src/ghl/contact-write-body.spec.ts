import { describe, expect, it } from 'vitest';
import { createContactBody, updateContactBody } from './contact-write-body.js';
import type { GhlContactUpdate } from './ghl-contact.js';

describe('contact write bodies', () => {
  it('creates with the location, the given fields, tags, and custom fields as {id, field_value}', () => {
    expect(
      createContactBody('loc', {
        email: 'ann@example.com',
        firstName: 'Ann',
        tags: ['lead'],
        customFields: [{ id: 'goal', value: ['run', 'swim'] }],
      }),
    ).toEqual({
      locationId: 'loc',
      email: 'ann@example.com',
      firstName: 'Ann',
      tags: ['lead'],
      customFields: [{ id: 'goal', field_value: ['run', 'swim'] }],
    });
  });

  it('updates only the given fields (null included), never tags or locationId', () => {
    const smuggled = { lastName: null, phone: '+12133734253', tags: ['x'] } as unknown as GhlContactUpdate;
    expect(updateContactBody(smuggled)).toEqual({ lastName: null, phone: '+12133734253' });
    expect(updateContactBody({})).toEqual({});
  });
});
