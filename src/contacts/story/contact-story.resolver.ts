import { Args, ArgsType, Context, Field, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { IsString, MaxLength, MinLength } from 'class-validator';
import type { GraphqlContext } from '../../graphql/request-loaders.js';
import { loadContact } from '../contact.loaders.js';
import { ContactsRepository, type ContactNode } from '../contacts.repository.js';
import { Contact } from '../models/contact.model.js';
import { ContactStory } from './contact-story.model.js';
import { ContactStoryService, type FoundStory } from './contact-story.service.js';

@ArgsType()
export class ContactStoryArgs {
  @Field({ description: 'An email, a phone (any format) or a GHL contact id.' })
  @IsString()
  @MinLength(3)
  @MaxLength(200)
  search!: string;
}

@Resolver(() => ContactStory)
export class ContactStoryResolver {
  constructor(
    private readonly stories: ContactStoryService,
    private readonly contacts: ContactsRepository,
  ) {}

  @Query(() => ContactStory, { description: "One contact's sync story, found by email, phone or GHL id." })
  contactStory(@Args() { search }: ContactStoryArgs): Promise<FoundStory> {
    return this.stories.find(search);
  }

  @ResolveField(() => Contact, { nullable: true })
  contact(@Parent() story: FoundStory, @Context() { loaders }: GraphqlContext): Promise<ContactNode | null> {
    return loadContact(loaders, this.contacts, story.contactId);
  }
}
