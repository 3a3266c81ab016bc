import { describe, expect, it } from 'vitest';
import { MASK, maskPersonalFields } from './personal-fields.js';

describe('maskPersonalFields', () => {
  it('masks personal fields at any depth and keeps everything else', () => {
    const event = {
      type: 'ContactUpdate',
      locationId: 'loc1',
      id: 'c1',
      email: 'ann@example.com',
      phone: '+14155550101',
      firstName: 'Ann',
      last_name: 'Lee',
      address1: '1 Main St',
      tags: ['vip'],
      customFields: [{ id: 'goal', value: 'Run' }],
      contact: { name: 'Ann Lee', dateOfBirth: '1990-01-01' },
      blank: { email: null, phone: '' },
    };
    expect(maskPersonalFields(event)).toEqual({
      type: 'ContactUpdate',
      locationId: 'loc1',
      id: 'c1',
      email: MASK,
      phone: MASK,
      firstName: MASK,
      last_name: MASK,
      address1: MASK,
      tags: ['vip'],
      customFields: [{ id: 'goal', value: 'Run' }],
      contact: { name: MASK, dateOfBirth: MASK },
      blank: { email: null, phone: '' },
    });
    expect(event.email).toBe('ann@example.com'); // a copy
  });
});
