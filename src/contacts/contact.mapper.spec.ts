import { describe, expect, it } from 'vitest';
import {
  mapGhlContact,
  normalizeCustomFields,
  normalizeEmail,
  normalizePhone,
  normalizeTags,
} from './contact.mapper.js';

describe('contact mapper', () => {
  it.each([
    ['  John.Doe@Example.COM ', 'john.doe@example.com'],
    ['a@b.co', 'a@b.co'],
    ['   ', null],
    ['', null],
    [null, null],
    [undefined, null],
  ])('normalizeEmail(%j) = %j', (raw, expected) => {
    expect(normalizeEmail(raw)).toBe(expected);
  });

  it.each([
    ['+919509597501', 'US', { phone: '+919509597501', phoneInvalidRaw: null }],
    ['(213) 373-4253', 'US', { phone: '+12133734253', phoneInvalidRaw: null }],
    ['213.373.4253', 'US', { phone: '+12133734253', phoneInvalidRaw: null }],
    ['+1 213 373 4253', 'GB', { phone: '+12133734253', phoneInvalidRaw: null }],
    ['020 7946 0018', 'GB', { phone: '+442079460018', phoneInvalidRaw: null }],
    ['07400 123456', 'GB', { phone: '+447400123456', phoneInvalidRaw: null }],
    ['12345', 'US', { phone: null, phoneInvalidRaw: '12345' }],
    ['  call me maybe ', 'US', { phone: null, phoneInvalidRaw: 'call me maybe' }],
    ['+1 000 000 0000', 'US', { phone: null, phoneInvalidRaw: '+1 000 000 0000' }],
    ['', 'US', { phone: null, phoneInvalidRaw: null }],
    [null, 'US', { phone: null, phoneInvalidRaw: null }],
  ] as const)('normalizePhone(%j, %s) = %j', (raw, region, expected) => {
    expect(normalizePhone(raw, region)).toEqual(expected);
  });

  it.each([
    [
      ['VIP', ' vip ', 'Lead  Hot', 'lead hot', ''],
      ['lead hot', 'vip'],
    ],
    [['Ｂｏｏｔ Camp'], ['boot camp']],
    [
      ['b', 'a', 'B'],
      ['a', 'b'],
    ],
    [[], []],
  ])('normalizeTags(%j) = %j', (raw, expected) => {
    expect(normalizeTags(raw)).toEqual(expected);
  });

  it('keeps custom field values as text, JSON for non-strings, the last value per field', () => {
    expect(
      normalizeCustomFields([
        { id: 'f1', value: 'XYZ Corp' },
        { id: 'f2', value: 42 },
        { id: 'f3', value: ['a', 'b'] },
        { id: 'f4' },
        { id: 'f5', value: null },
        { id: 'f1', value: 'Renamed' },
        { id: 'f6', value: false },
      ]),
    ).toEqual([
      { fieldId: 'f1', value: 'Renamed' },
      { fieldId: 'f2', value: '42' },
      { fieldId: 'f3', value: '["a","b"]' },
      { fieldId: 'f4', value: null },
      { fieldId: 'f5', value: null },
      { fieldId: 'f6', value: 'false' },
    ]);
  });

  it('maps a full ContactCreate payload', () => {
    const change = mapGhlContact(
      {
        id: 'nmFmQEsNgz6AVpgLVUJ0',
        locationId: 've9EPM428h8vShlRW1KT',
        email: 'JOHN@deo.com ',
        phone: '+919509597501',
        firstName: ' John ',
        lastName: 'Deo',
        tags: ['Nisi sint commodo amet', 'consequat'],
        customFields: [{ id: 'BcdmQEsNgz6AVpgLVUJ0', value: 'XYZ Corp' }],
        timestamp: '2026-11-29T10:00:00.000Z',
      },
      'US',
    );
    expect(change).toEqual({
      ghlContactId: 'nmFmQEsNgz6AVpgLVUJ0',
      ghlLocationId: 've9EPM428h8vShlRW1KT',
      upstreamUpdatedAt: new Date('2026-11-29T10:00:00.000Z'),
      fields: {
        email: 'john@deo.com',
        phone: '+919509597501',
        phoneInvalidRaw: null,
        firstName: 'John',
        lastName: 'Deo',
      },
      tags: ['consequat', 'nisi sint commodo amet'],
      customFields: [{ fieldId: 'BcdmQEsNgz6AVpgLVUJ0', value: 'XYZ Corp' }],
    });
  });

  it('leaves out what a partial payload does not carry, and clears what it sends empty', () => {
    const change = mapGhlContact(
      { id: 'c1', locationId: 'l1', email: '', phone: 'n/a', timestamp: '2026-11-29T10:00:00Z' },
      'US',
    );
    expect(change.fields).toEqual({ email: null, phone: null, phoneInvalidRaw: 'n/a' });
    expect(change.tags).toBeUndefined();
    expect(change.customFields).toBeUndefined();
  });

  it('orders by dateUpdated when GHL sends it (REST), else by the delivery timestamp', () => {
    const base = { id: 'c1', locationId: 'l1', timestamp: '2026-11-29T10:00:00Z' };
    expect(mapGhlContact(base, 'US').upstreamUpdatedAt).toEqual(new Date('2026-11-29T10:00:00Z'));
    expect(mapGhlContact({ ...base, dateUpdated: '2026-11-28T08:00:00Z' }, 'US').upstreamUpdatedAt).toEqual(
      new Date('2026-11-28T08:00:00Z'),
    );
    expect(() => mapGhlContact({ id: 'c1', locationId: 'l1' }, 'US')).toThrow('neither dateUpdated nor timestamp');
    expect(() => mapGhlContact({ id: 'c1', locationId: 'l1', timestamp: 'yesterday' }, 'US')).toThrow(
      'carries an unreadable time',
    );
  });
});
