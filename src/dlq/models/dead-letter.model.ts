import { Field, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { DeadLetterStatus } from '../../generated/prisma/enums.js';
import { Paginated } from '../../graphql/pagination.js';

registerEnumType(DeadLetterStatus, { name: 'DeadLetterStatus' });

@ObjectType({ description: 'Sync work that exhausted its retries or can never succeed, with how to repair it.' })
export class DeadLetter {
  @Field(() => ID)
  id!: string;

  @Field()
  queue!: string;

  @Field(() => String, { nullable: true })
  idempotencyKey!: string | null;

  @Field()
  errorClass!: string;

  @Field({ description: 'The last error message.' })
  reason!: string;

  @Field({ description: 'The repair playbook for the error class (Markdown, from src/dlq/playbooks).' })
  playbook!: string;

  @Field(() => Int)
  attempts!: number;

  @Field(() => DeadLetterStatus)
  status!: DeadLetterStatus;

  @Field(() => String, { nullable: true })
  correlationId!: string | null;

  @Field(() => GraphQLISODateTime)
  firstFailedAt!: Date;

  @Field(() => GraphQLISODateTime)
  lastFailedAt!: Date;
}

@ObjectType()
export class DeadLetterConnection extends Paginated(DeadLetter) {}
