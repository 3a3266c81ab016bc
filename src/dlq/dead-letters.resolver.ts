import { Logger } from '@nestjs/common';
import {
  Args,
  Context,
  Field,
  Int,
  Mutation,
  ObjectType,
  Parent,
  Query,
  ResolveField,
  Resolver,
} from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { callerOf } from '../graphql/caller.js';
import { pageOf, type Connection } from '../graphql/pagination.js';
import type { GraphqlContext } from '../graphql/request-loaders.js';
import { DeadLetterError, DeadLetterErrorCode } from './dead-letter.errors.js';
import { DeadLettersRepository, type DeadLetterRow } from './dead-letters.repository.js';
import { DeadLettersService } from './dead-letters.service.js';
import {
  DeadLetterIdArgs,
  DeadLetterPayloadArgs,
  DeadLettersArgs,
  DiscardDeadLetterArgs,
  ReplayDeadLettersArgs,
} from './dto/dead-letters.args.js';
import { DeadLetter, DeadLetterConnection } from './models/dead-letter.model.js';
import { maskPersonalFields } from './personal-fields.js';
import { readPlaybook } from './playbooks.js';
import { DeadLetterStatus } from '../generated/prisma/enums.js';

@ObjectType({ description: 'How many dead letters of one error class and queue have a status.' })
export class DeadLetterClassCount {
  @Field()
  errorClass!: string;

  @Field()
  queue!: string;

  @Field(() => Int)
  count!: number;
}

const GRAPHQL_CODE: Record<DeadLetterErrorCode, string> = {
  [DeadLetterErrorCode.NotFound]: 'NOT_FOUND',
  [DeadLetterErrorCode.ReasonRequired]: 'BAD_USER_INPUT',
  [DeadLetterErrorCode.AlreadyResolved]: 'CONFLICT',
};

@Resolver(() => DeadLetter)
export class DeadLettersResolver {
  private readonly logger = new Logger(DeadLettersResolver.name);

  constructor(
    private readonly repository: DeadLettersRepository,
    private readonly service: DeadLettersService,
  ) {}

  @Query(() => DeadLetterConnection, { description: 'Dead letters in the order they were recorded.' })
  async deadLetters(
    @Args() { status, errorClass, queue, first, after }: DeadLettersArgs,
  ): Promise<Connection<DeadLetterRow>> {
    // A variable sent as null means no filter, as an absent one does.
    const query = { status: status ?? undefined, errorClass: errorClass ?? undefined, queue: queue ?? undefined };
    return pageOf(this.repository, query, { first, after });
  }

  @Query(() => DeadLetter, { nullable: true, description: 'One dead letter by id.' })
  async deadLetter(@Args() { id }: DeadLetterIdArgs): Promise<DeadLetterRow | null> {
    return this.repository.findById(id);
  }

  @Query(() => [DeadLetterClassCount], {
    description: 'Dead letters with this status (default OPEN) per error class and queue.',
  })
  async deadLetterClasses(
    @Args('status', { type: () => DeadLetterStatus, defaultValue: DeadLetterStatus.OPEN }) status: DeadLetterStatus,
  ): Promise<DeadLetterClassCount[]> {
    return this.repository.classCounts(status);
  }

  @Mutation(() => Int, {
    description:
      'Replays the open dead letters of one error class (and queue), oldest first, at most `limit`: the number replayed.',
  })
  async replayDeadLetters(
    @Args() { errorClass, queue, limit }: ReplayDeadLettersArgs,
    @Context() context: GraphqlContext,
  ): Promise<number> {
    const letters = await this.repository.findPage({ status: 'OPEN', errorClass, queue: queue ?? undefined }, limit);
    const by = callerOf(context);
    for (const letter of letters) await translated(() => this.service.replay(letter.id, by));
    return letters.length;
  }

  @Mutation(() => DeadLetter, {
    description: 'Back into its queue with attempts reset; a second replay changes nothing.',
  })
  async replayDeadLetter(@Args() { id }: DeadLetterIdArgs, @Context() context: GraphqlContext): Promise<DeadLetterRow> {
    return translated(() => this.service.replay(id, callerOf(context)));
  }

  @Mutation(() => DeadLetter, { description: 'Drops the work for good; needs a reason.' })
  async discardDeadLetter(
    @Args() { id, reason }: DiscardDeadLetterArgs,
    @Context() context: GraphqlContext,
  ): Promise<DeadLetterRow> {
    return translated(() => this.service.discard(id, reason, callerOf(context)));
  }

  @ResolveField(() => String)
  playbook(@Parent() letter: DeadLetterRow): string {
    return readPlaybook(letter.playbook);
  }

  @ResolveField(() => String, {
    description:
      'What the row held, as JSON: the job, and the inbox event it names (what GHL sent); personal fields masked unless revealPersonal.',
  })
  async payload(
    @Parent() letter: DeadLetterRow,
    @Args() { revealPersonal }: DeadLetterPayloadArgs,
    @Context() context: GraphqlContext,
  ): Promise<string> {
    const job = letter.payload as Record<string, unknown>;
    const event = typeof job.eventId === 'string' ? await this.repository.storedEvent(job.eventId) : null;
    const held = { job, ...(event && { event }) };
    if (revealPersonal)
      this.logger.log({ deadLetterId: letter.id, by: callerOf(context) }, 'dead letter payload revealed');
    return JSON.stringify(revealPersonal ? held : maskPersonalFields(held), null, 2);
  }
}

/** The one place dead-letter errors become GraphQL errors. */
async function translated<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof DeadLetterError) {
      throw new GraphQLError(error.message, { extensions: { code: GRAPHQL_CODE[error.code] } });
    }
    throw error;
  }
}
