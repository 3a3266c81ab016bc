import { Field, GraphQLISODateTime, Int, ObjectType } from '@nestjs/graphql';
import { Contact } from '../models/contact.model.js';

@ObjectType({ description: 'One thing that happened to a contact in the sync. Names fields, never their values.' })
export class StoryEntry {
  @Field(() => GraphQLISODateTime)
  at!: Date;

  @Field({ description: 'inbound_event, outbound_plan, outbound_write, echo, conflict or dead_letter.' })
  kind!: string;

  @Field()
  summary!: string;

  @Field(() => String, { nullable: true })
  correlationId!: string | null;
}

@ObjectType({
  description: "A contact's story: every inbound event, outbound plan and write, echo, conflict and dead letter.",
})
export class ContactStory {
  @Field(() => Contact, { nullable: true, description: 'The first contact found; null when none matched.' })
  contact!: Contact | null;

  @Field(() => Int, { description: 'How many contacts matched (a phone can belong to several).' })
  matches!: number;

  @Field(() => [StoryEntry], { description: 'Newest first; the latest 100 of each kind.' })
  entries!: StoryEntry[];
}
