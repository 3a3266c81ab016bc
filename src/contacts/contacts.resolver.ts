import { Args, Context, Info, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { AppConfig } from '../config/app-config.js';
import { pageOf, type Connection } from '../graphql/pagination.js';
import type { GraphqlContext } from '../graphql/request-loaders.js';
import { selectedFields } from '../graphql/selection.js';
import { withLazyTags } from './contact.loaders.js';
import { normalizeEmail, normalizePhone, normalizeTags } from './contact.mapper.js';
import { ContactsRepository, type ContactNode, type ContactQuery } from './contacts.repository.js';
import { ContactFilter, ContactLookupArgs, ContactsArgs } from './dto/contacts.args.js';
import { Contact, ContactConnection, CustomFieldValue } from './models/contact.model.js';

const CUSTOM_FIELDS = Symbol('contact custom fields');

@Resolver(() => Contact)
export class ContactsResolver {
  constructor(
    private readonly repository: ContactsRepository,
    private readonly config: AppConfig,
  ) {}

  @Query(() => ContactConnection, { description: 'Contacts in creation order; deleted ones only with includeDeleted.' })
  async contacts(
    @Args() { filter, first, after }: ContactsArgs,
    @Info() info: GraphQLResolveInfo,
    @Context() { loaders }: GraphqlContext,
  ): Promise<Connection<ContactNode>> {
    const fields = selectedFields(info, ['edges', 'node']);
    const query = { ...this.queryOf(filter), withTags: fields.has('tags'), fields };
    const page = await pageOf(this.repository, query, { first, after });
    // Read with the page when selected; else only a fragment on another path could ask, through the loader.
    if (!query.withTags) for (const edge of page.edges) withLazyTags(edge.node, this.repository, loaders);
    return page;
  }

  @Query(() => Contact, { nullable: true, description: 'One contact by exactly one of id, ghlContactId, email.' })
  async contact(
    @Args() { id, ghlContactId, email }: ContactLookupArgs,
    @Context() { loaders }: GraphqlContext,
  ): Promise<ContactNode | null> {
    const contact = await this.findOne(id, ghlContactId, email);
    return contact && withLazyTags(contact, this.repository, loaders);
  }

  private async findOne(
    id: string | undefined,
    ghlContactId: string | undefined,
    email: string | undefined,
  ): Promise<ContactNode | null> {
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

  @ResolveField(() => [CustomFieldValue])
  async customFields(
    @Parent() contact: ContactNode,
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
