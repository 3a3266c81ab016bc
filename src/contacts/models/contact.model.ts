import { Field, GraphQLISODateTime, ID, ObjectType } from '@nestjs/graphql';
import { Paginated } from '../../graphql/pagination.js';

@ObjectType({ description: 'A GHL custom field value of a contact, as text (JSON for lists and objects).' })
export class CustomFieldValue {
  @Field()
  fieldId!: string;

  @Field(() => String, { nullable: true })
  value!: string | null;
}

@ObjectType({ description: 'A person, as synced from GHL.' })
export class Contact {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  ghlContactId!: string | null;

  @Field(() => String, { nullable: true })
  ghlLocationId!: string | null;

  @Field(() => String, { nullable: true, description: 'Lower-cased.' })
  email!: string | null;

  @Field(() => String, { nullable: true, description: 'E.164.' })
  phone!: string | null;

  @Field(() => String, { nullable: true })
  firstName!: string | null;

  @Field(() => String, { nullable: true })
  lastName!: string | null;

  @Field(() => [String], { description: 'Normalized: trimmed, lower-cased, sorted.' })
  tags!: string[];

  @Field(() => [CustomFieldValue])
  customFields!: CustomFieldValue[];

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Upstream time of the last change applied.' })
  ghlUpdatedAt!: Date | null;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime)
  updatedAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  deletedAt!: Date | null;
}

@ObjectType()
export class ContactConnection extends Paginated(Contact) {}
