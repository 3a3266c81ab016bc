import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { OUTBOUND_ACTIONS, type OutboundAction } from '../outbound-plan.js';

export const OutboundActionValue = Object.fromEntries(OUTBOUND_ACTIONS.map((action) => [action, action])) as {
  [A in OutboundAction]: A;
};
registerEnumType(OutboundActionValue, {
  name: 'OutboundAction',
  description:
    'What the outbound worker does to GHL for a contact: create it, link an existing one (and write what differs), update it, delete it (OUTBOUND_DELETES=delete), nothing, or nothing because the contact is stopped.',
});

@ObjectType({
  description:
    "One field of GHL's contact the plan changes, as GHL shows values (tags: a sorted comma-separated list).",
})
export class FieldChange {
  @Field({
    description: 'As SYNC_FIELD_RULES names it: email, phone, firstName, lastName, tags, customField.<fieldId>.',
  })
  field!: string;

  @Field(() => String, { nullable: true, description: "GHL's value now; null for a new contact or an empty field." })
  from!: string | null;

  @Field(() => String, { nullable: true })
  to!: string | null;

  @Field({ description: 'The rule that decided (SYNC_FIELD_RULES, or OUTBOUND_DELETES for a delete tag).' })
  rule!: string;
}

@ObjectType({ description: 'What the outbound worker would do now for one contact; computing it writes nothing.' })
export class OutboundPlan {
  @Field(() => OutboundActionValue)
  action!: OutboundAction;

  @Field(() => [FieldChange])
  changes!: FieldChange[];

  @Field(() => [String])
  tagsToAdd!: string[];

  @Field(() => [String])
  tagsToRemove!: string[];

  @Field(() => Int, { description: 'GHL requests carrying the plan out costs, the reads that decide it included.' })
  apiCalls!: number;

  @Field(() => ID, { nullable: true, description: "The GHL contact's id; null for a CREATE." })
  ghlContactId!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Why nothing is written (NOOP) or the contact is stopped (BLOCKED).',
  })
  reason!: string | null;
}
