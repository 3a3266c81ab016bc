import { Field, GraphQLISODateTime, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Contact } from '../../contacts/models/contact.model.js';
import { Paginated } from '../../graphql/pagination.js';

export enum SyncSideValue {
  TRAINU = 'TRAINU',
  GHL = 'GHL',
}
registerEnumType(SyncSideValue, { name: 'SyncSide', description: 'A side of the sync: TrainU or GHL.' });

@ObjectType({
  description:
    'A contact field both sides changed to different values: both values and change times, the rule that decided (SYNC_FIELD_RULES) and the winner.',
})
export class SyncConflict {
  @Field(() => ID)
  id!: string;

  @Field(() => Contact, { nullable: true, description: 'Null once the contact is deleted.' })
  contact!: Contact | null;

  @Field({
    description: 'As SYNC_FIELD_RULES names it: email, phone, firstName, lastName, tags, customField.<fieldId>.',
  })
  field!: string;

  @Field(() => String, { nullable: true, description: 'Tags as a comma-separated sorted list.' })
  trainuValue!: string | null;

  @Field(() => String, { nullable: true })
  ghlValue!: string | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  trainuChangedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: "GHL's dateUpdated of the contact." })
  ghlChangedAt!: Date | null;

  @Field()
  rule!: string;

  @Field(() => SyncSideValue)
  winner!: SyncSideValue;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the losing value was last written back.' })
  reappliedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Who wrote it back: api-key:<fingerprint of the key>.' })
  reappliedBy!: string | null;
}

@ObjectType()
export class SyncConflictConnection extends Paginated(SyncConflict) {}
