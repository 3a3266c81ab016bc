import { Field, Float, GraphQLISODateTime, Int, ObjectType } from '@nestjs/graphql';
import { BackfillRunView } from '../backfill/backfill-status.model.js';

@ObjectType({ description: 'One kind of object of one GHL location: its recent flow, what waits, what failed.' })
export class ObjectActivity {
  @Field({
    description: 'contacts, appointments, opportunities, pipelines (backfill only) or other (types no module syncs).',
  })
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

  @Field(() => Int, { description: 'Webhook deliveries turned away as duplicates in the last hour.' })
  duplicatesLastHour!: number;

  @Field(() => Int, {
    description: 'Events received and not yet processed: waiting for the relay, queued, or waiting for a retry.',
  })
  queueDepth!: number;

  @Field(() => Int, { description: 'TrainU-side changes not yet pushed to GHL (contacts only).' })
  outboxPending!: number;

  @Field(() => Int, { description: 'Open dead letters of this location and object.' })
  deadLettersOpen!: number;

  @Field(() => Int, {
    description:
      'Conflicts of the last 24 h whose losing value nobody re-applied (contacts only; all are on the conflicts page).',
  })
  conflictsOpen!: number;

  @Field(() => BackfillRunView, { nullable: true, description: 'The latest backfill run, running or not.' })
  lastBackfill!: BackfillRunView | null;
}

@ObjectType()
export class LocationOverview {
  @Field({ description: "GHL's location id; `(none)` for events that named none." })
  locationId!: string;

  @Field(() => [ObjectActivity])
  objects!: ObjectActivity[];
}

@ObjectType({
  description:
    'One minute of the last 24 h: inbox events finished, by outcome, duplicates turned away, and writes to GHL.',
})
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

  @Field(() => Int, { description: 'Webhook deliveries turned away as duplicates (counted when received).' })
  duplicate!: number;

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
