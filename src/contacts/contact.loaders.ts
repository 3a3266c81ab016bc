import type DataLoader from 'dataloader';
import { orderByKeys, type RequestLoaders } from '../graphql/request-loaders.js';
import type { ContactRow, ContactsRepository } from './contacts.repository.js';

const CONTACT_BY_ID = Symbol('contact by id');

/** The request's loader of contacts by id, shared by every field that points at a contact. */
export function contactByIdLoader(
  loaders: RequestLoaders,
  contacts: ContactsRepository,
): DataLoader<string, ContactRow | null> {
  return loaders.get<string, ContactRow | null>(CONTACT_BY_ID, async (ids) =>
    orderByKeys(ids, await contacts.findByIds(ids), (contact) => contact.id),
  );
}
