import { ArgsType, Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';
import { ArrayMaxSize, IsBoolean, IsIn, IsOptional } from 'class-validator';
import type { BackfillRunRow } from '../../backfill/backfill-runs.repository.js';
import { BACKFILL_OBJECTS } from '../../backfill/backfill.service.js';

@ObjectType({ description: 'One backfill run of one object.' })
export class BackfillRunView {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'A full run also tombstones what GHL no longer has.' })
  full!: boolean;

  @Field({ description: 'running, done or failed.' })
  status!: string;

  @Field(() => Int)
  pages!: number;

  @Field(() => Int)
  records!: number;

  @Field(() => Int, { nullable: true, description: 'What GHL said the listing holds, when it says.' })
  total!: number | null;

  @Field(() => Int, { nullable: true })
  tombstoned!: number | null;

  @Field(() => Boolean, { nullable: true, description: 'It went on from a checkpoint an earlier run left.' })
  resumed!: boolean | null;

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field(() => GraphQLISODateTime)
  startedAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  finishedAt!: Date | null;
}

export function backfillRunViewOf(run: BackfillRunRow): BackfillRunView {
  return { ...run, id: run.id.toString() };
}

@ObjectType({ description: "One object's backfill: its checkpoint and its latest run." })
export class BackfillObjectStatus {
  @Field()
  object!: string;

  @Field(() => String, { nullable: true, description: 'Where an unfinished run resumes (JSON); null between runs.' })
  checkpoint!: string | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  lastCompletedAt!: Date | null;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => BackfillRunView, { nullable: true })
  lastRun!: BackfillRunView | null;
}

@ObjectType()
export class StartedBackfill {
  @Field(() => ID, {
    nullable: true,
    description: 'The job enqueued; null when this minute’s run was enqueued already.',
  })
  jobId!: string | null;

  @Field({ description: 'A run of this kind was enqueued this minute already (from any instance).' })
  alreadyEnqueued!: boolean;
}

@ArgsType()
export class StartBackfillArgs {
  @Field({ defaultValue: false, description: 'A full run (reconciliation: tombstones what GHL no longer has).' })
  @IsBoolean()
  full!: boolean;

  @Field(() => [String], {
    nullable: true,
    description: `Which objects: ${BACKFILL_OBJECTS.join(', ')} (default all).`,
  })
  @IsOptional()
  @ArrayMaxSize(BACKFILL_OBJECTS.length)
  @IsIn(BACKFILL_OBJECTS, { each: true })
  objects?: string[];
}
