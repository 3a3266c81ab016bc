import { lazyField } from '../graphql/lazy-field.js';
import type { RequestLoaders } from '../graphql/request-loaders.js';
import type { ContactNode, ContactsRepository } from './contacts.repository.js';

const CONTACT_BY_ID = Symbol('contact by id');
const TAGS = Symbol('contact tags');

/**
 * A contact by id, through the request's one loader that every field pointing at a contact shares.
 * Its tags are read only if the query selects them, for every such contact of the request at once.
 */
export function loadContact(
  loaders: RequestLoaders,
  contacts: ContactsRepository,
  id: string | null,
): Promise<ContactNode | null> {
  if (!id) return Promise.resolve(null);
  return loaders.one(
    CONTACT_BY_ID,
    id,
    async (ids) => (await contacts.findByIds(ids)).map((contact) => withLazyTags(contact, contacts, loaders)),
    (contact) => contact.id,
  );
}

/** The contact with its tags loaded when a query reads them, unless they were read with it. */
export function withLazyTags<T extends ContactNode>(
  contact: T,
  contacts: ContactsRepository,
  loaders: RequestLoaders,
): T {
  return lazyField(contact, 'tags', async () => {
    const rows = await loaders.many(
      TAGS,
      contact.id,
      (ids) => contacts.tagsOf(ids),
      (row) => row.contactId,
    );
    return rows.map((row) => row.tag);
  });
}
