import { Args, Context, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { callerOf } from '../graphql/caller.js';
import { pageOf, type Connection } from '../graphql/pagination.js';
import type { GraphqlContext } from '../graphql/request-loaders.js';
import { DeadLetterError, DeadLetterErrorCode } from './dead-letter.errors.js';
import { DeadLettersRepository, type DeadLetterRow } from './dead-letters.repository.js';
import { DeadLettersService } from './dead-letters.service.js';
import { DeadLetterIdArgs, DeadLettersArgs, DiscardDeadLetterArgs } from './dto/dead-letters.args.js';
import { DeadLetter, DeadLetterConnection } from './models/dead-letter.model.js';
import { readPlaybook } from './playbooks.js';

const GRAPHQL_CODE: Record<DeadLetterErrorCode, string> = {
  [DeadLetterErrorCode.NotFound]: 'NOT_FOUND',
  [DeadLetterErrorCode.ReasonRequired]: 'BAD_USER_INPUT',
  [DeadLetterErrorCode.AlreadyResolved]: 'CONFLICT',
};

@Resolver(() => DeadLetter)
export class DeadLettersResolver {
  constructor(
    private readonly repository: DeadLettersRepository,
    private readonly service: DeadLettersService,
  ) {}

  @Query(() => DeadLetterConnection, { description: 'Dead letters in the order they were recorded.' })
  async deadLetters(@Args() { status, first, after }: DeadLettersArgs): Promise<Connection<DeadLetterRow>> {
    return pageOf(this.repository, { status }, { first, after });
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
