import { Args, Context, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { AppConfig } from '../config/app-config.js';
import { pageOf, type Connection } from '../graphql/pagination.js';
import type { GraphqlContext } from '../graphql/request-loaders.js';
import { normalizeEmail, normalizePhone, normalizeTags } from './contact.mapper.js';
import { ContactsRepository, type ContactQuery, type ContactRow } from './contacts.repository.js';
import { ContactFilter, ContactLookupArgs, ContactsArgs } from './dto/contacts.args.js';
import { Contact, ContactConnection, CustomFieldValue } from './models/contact.model.js';

const TAGS = Symbol('contact tags');
const CUSTOM_FIELDS = Symbol('contact custom fields');

@Resolver(() => Contact)
export class ContactsResolver {
  constructor(
    private readonly repository: ContactsRepository,
    private readonly config: AppConfig,
  ) {}

  @Query(() => ContactConnection, { description: 'Contacts in creation order; deleted ones only with includeDeleted.' })
  async contacts(@Args() { filter, first, after }: ContactsArgs): Promise<Connection<ContactRow>> {
    return pageOf(this.repository, this.queryOf(filter), { first, after });
  }

  @Query(() => Contact, { nullable: true, description: 'One contact by exactly one of id, ghlContactId, email.' })
  async contact(@Args() { id, ghlContactId, email }: ContactLookupArgs): Promise<ContactRow | null> {
    const given = [id, ghlContactId, email].filter((value) => value !== undefined && value !== null);
    if (given.length !== 1) {
      throw new GraphQLError('Give exactly one of id, ghlContactId, email.', {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    }
    if (id) return this.repository.findOne({ id });
    if (ghlContactId) return this.repository.findOne({ ghlContactId });
    const normalized = normalizeEmail(email);
    return normalized ? this.repository.findOne({ email: normalized }) : null;
  }

  @ResolveField(() => [String])
  async tags(@Parent() contact: ContactRow, @Context() { loaders }: GraphqlContext): Promise<string[]> {
    const rows = await loaders.many(
      TAGS,
      contact.id,
      (ids) => this.repository.tagsOf(ids),
      (row) => row.contactId,
    );
    return rows.map((row) => row.tag);
  }

  @ResolveField(() => [CustomFieldValue])
  async customFields(
    @Parent() contact: ContactRow,
    @Context() { loaders }: GraphqlContext,
  ): Promise<CustomFieldValue[]> {
    const rows = await loaders.many(
      CUSTOM_FIELDS,
      contact.id,
      (ids) => this.repository.customFieldsOf(ids),
      (row) => row.contactId,
    );
    return rows.map(({ fieldId, value }) => ({ fieldId, value }));
  }

  /** The filter normalized the way stored values are, so `Foo@X.com` finds `foo@x.com`. */
  private queryOf(filter: ContactFilter | undefined): ContactQuery {
    if (!filter) return {};
    return {
      ...(filter.email !== undefined && { email: normalizeEmail(filter.email) ?? '' }),
      ...(filter.phone !== undefined && {
        phone: normalizePhone(filter.phone, this.config.sync.defaultPhoneRegion).phone ?? filter.phone,
      }),
      ...(filter.tag !== undefined && { tag: normalizeTags([filter.tag])[0] ?? '' }),
      ...(filter.updatedSince !== undefined && { updatedSince: filter.updatedSince }),
      includeDeleted: filter.includeDeleted ?? false,
    };
  }
}
