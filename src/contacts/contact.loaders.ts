import type { RequestLoaders } from '../graphql/request-loaders.js';
import type { ContactRow, ContactsRepository } from './contacts.repository.js';

const CONTACT_BY_ID = Symbol('contact by id');

/** A contact by id, through the request's one loader that every field pointing at a contact shares. */
export function loadContact(
  loaders: RequestLoaders,
  contacts: ContactsRepository,
  id: string | null,
): Promise<ContactRow | null> {
  if (!id) return Promise.resolve(null);
  return loaders.one(
    CONTACT_BY_ID,
    id,
    (ids) => contacts.findByIds(ids),
    (contact) => contact.id,
  );
}
