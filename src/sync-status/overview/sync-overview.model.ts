import { Field, Float, GraphQLISODateTime, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: "One kind of object of one GHL location: its webhooks' recent flow." })
export class ObjectActivity {
  @Field({ description: 'contacts, appointments, opportunities or other (types no module syncs).' })
  object!: string;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'The last webhook received in the last 24 h.' })
  lastWebhookAt!: Date | null;

  @Field(() => Int, { description: 'Events whose processing finished in the last hour.' })
  processedLastHour!: number;

  @Field(() => Int, { description: 'Of those, the ones that failed (retried or dead-lettered).' })
  failedLastHour!: number;

  @Field(() => Float, { nullable: true, description: 'Received → processed, median over the last hour (ms).' })
  lagP50Ms!: number | null;

  @Field(() => Float, { nullable: true, description: 'Received → processed, 99th percentile over the last hour (ms).' })
  lagP99Ms!: number | null;
}

@ObjectType()
export class LocationOverview {
  @Field({ description: "GHL's location id; `(none)` for events that named none." })
  locationId!: string;

  @Field(() => [ObjectActivity])
  objects!: ObjectActivity[];
}

@ObjectType({ description: 'One minute of the last 24 h: inbox events finished, by outcome, and writes to GHL.' })
export class ActivityMinute {
  @Field(() => GraphQLISODateTime)
  minute!: Date;

  @Field(() => Int)
  applied!: number;

  @Field(() => Int)
  stale!: number;

  @Field(() => Int)
  ignored!: number;

  @Field(() => Int, { description: 'Failed, or dead-lettered.' })
  failed!: number;

  @Field(() => Int, { description: 'Writes the outbound push sent to GHL.' })
  outboundWrites!: number;
}

@ObjectType({ description: 'What the operator console shows first: per location and object, and the last 24 h.' })
export class SyncOverview {
  @Field(() => [LocationOverview])
  locations!: LocationOverview[];

  @Field(() => [ActivityMinute], { description: 'Minutes with any activity, oldest first.' })
  activity!: ActivityMinute[];
}
