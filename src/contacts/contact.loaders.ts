import type { GraphqlContext, RequestLoaders } from '../graphql/request-loaders.js';
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
    async (ids) => (await contacts.findByIds(ids)).map((contact) => withLazyTags(contact, contacts)),
    (contact) => contact.id,
  );
}

/**
 * The contact with `tags` as a function when they were not read with it: GraphQL's default
 * resolver calls it only when the query selects `tags`, so no Nest resolver runs per contact.
 */
export function withLazyTags(contact: ContactNode, contacts: ContactsRepository): ContactNode {
  contact.tags ??= async (_args, context) => {
    const rows = await (context as GraphqlContext).loaders.many(
      TAGS,
      contact.id,
      (ids) => contacts.tagsOf(ids),
      (row) => row.contactId,
    );
    return rows.map((row) => row.tag);
  };
  return contact;
}
