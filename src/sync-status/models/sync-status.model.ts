import { Field, GraphQLISODateTime, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'How far behind the sync is, at the moment of the query.' })
export class SyncStatus {
  @Field(() => Int, {
    description:
      'Work waiting to run: jobs, including scheduled retries, and inbox events not yet relayed to the queue.',
  })
  queueDepth!: number;

  @Field(() => Int, { description: 'Dead letters not yet replayed or discarded.' })
  deadLettersOpen!: number;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the last webhook was accepted.' })
  lastWebhookAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the last backfill run completed.' })
  lastBackfillAt!: Date | null;

  @Field(() => Int, { description: 'Inbox events whose processing finished in the last hour.' })
  eventsProcessedLastHour!: number;

  @Field(() => Int, {
    description: 'TrainU-side contact changes recorded in the outbox that the outbound push has not finished.',
  })
  outboxPending!: number;
}
