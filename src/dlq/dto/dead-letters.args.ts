import { ArgsType, Field, ID } from '@nestjs/graphql';
import { IsEnum, IsOptional, IsString, IsUUID } from 'class-validator';
import { DeadLetterStatus } from '../../generated/prisma/enums.js';
import { PaginationArgs } from '../../graphql/pagination.js';

@ArgsType()
export class DeadLettersArgs extends PaginationArgs {
  @Field(() => DeadLetterStatus, { nullable: true })
  @IsOptional()
  @IsEnum(DeadLetterStatus)
  status?: DeadLetterStatus;
}

@ArgsType()
export class DeadLetterIdArgs {
  @Field(() => ID)
  @IsUUID()
  id!: string;
}

@ArgsType()
export class DiscardDeadLetterArgs extends DeadLetterIdArgs {
  @Field(() => String, { nullable: true, description: 'Required: why this work is dropped.' })
  @IsOptional()
  @IsString()
  reason?: string;
}
