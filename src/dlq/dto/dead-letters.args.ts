import { ArgsType, Field, ID, Int } from '@nestjs/graphql';
import { IsBoolean, IsEnum, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { DeadLetterStatus } from '../../generated/prisma/enums.js';
import { PaginationArgs } from '../../graphql/pagination.js';

@ArgsType()
export class DeadLettersArgs extends PaginationArgs {
  @Field(() => DeadLetterStatus, { nullable: true })
  @IsOptional()
  @IsEnum(DeadLetterStatus)
  status?: DeadLetterStatus;

  @Field(() => String, { nullable: true, description: 'One error class, e.g. UpstreamRejected.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  errorClass?: string;

  @Field(() => String, { nullable: true, description: 'One queue, e.g. sync.inbound-events.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  queue?: string;
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

@ArgsType()
export class ReplayDeadLettersArgs {
  @Field({ description: 'Every open dead letter of this class (and queue, if given) is replayed.' })
  @IsString()
  @MaxLength(100)
  errorClass!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  queue?: string;

  @Field(() => Int, { defaultValue: 500, description: 'At most this many in one call (1–1000); call again for more.' })
  @IsInt()
  @Min(1)
  @Max(1000)
  limit!: number;
}

@ArgsType()
export class DeadLetterPayloadArgs {
  @Field({ defaultValue: false, description: 'Show personal fields (names, emails, phones…) instead of •••.' })
  @IsBoolean()
  revealPersonal!: boolean;
}
