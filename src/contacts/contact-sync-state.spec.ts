import { describe, expect, it } from 'vitest';
import { foldedByContact } from './contact-sync-state.repository.js';

describe('foldedByContact', () => {
  it('keeps one patch per contact, later values over earlier, other fields kept', () => {
    expect(
      foldedByContact([
        { contactId: 'a', values: { firstName: 'Old', email: 'a@example.com' } },
        { contactId: 'b', values: { tags: ['vip'] } },
        { contactId: 'a', values: { firstName: 'New', phone: null } },
      ]),
    ).toEqual([
      { contactId: 'a', values: { firstName: 'New', email: 'a@example.com', phone: null } },
      { contactId: 'b', values: { tags: ['vip'] } },
    ]);
  });

  it('leaves an empty batch empty', () => {
    expect(foldedByContact([])).toEqual([]);
  });
});
