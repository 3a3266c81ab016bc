import { ArgsType, Field, GraphQLISODateTime, ID, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { IsBoolean, IsDate, IsOptional, IsString, IsUUID, ValidateNested } from 'class-validator';
import { PaginationArgs } from '../../graphql/pagination.js';

@InputType()
export class ContactFilter {
  @Field(() => String, { nullable: true, description: 'Matched case-insensitively.' })
  @IsOptional()
  @IsString()
  email?: string;

  @Field(() => String, { nullable: true, description: `Any format; read as E.164 in DEFAULT_PHONE_REGION.` })
  @IsOptional()
  @IsString()
  phone?: string;

  @Field(() => String, { nullable: true, description: 'Matched after the same normalization as stored tags.' })
  @IsOptional()
  @IsString()
  tag?: string;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Contacts changed in TrainU at or after this time.' })
  @IsOptional()
  @IsDate()
  updatedSince?: Date;

  @Field(() => Boolean, { nullable: true, description: 'Include contacts deleted in GHL.' })
  @IsOptional()
  @IsBoolean()
  includeDeleted?: boolean;
}

@ArgsType()
export class ContactsArgs extends PaginationArgs {
  @Field(() => ContactFilter, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => ContactFilter)
  filter?: ContactFilter;
}

/** Exactly one of the three identifies the contact. Deleted contacts are returned, with `deletedAt`. */
@ArgsType()
export class ContactLookupArgs {
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  id?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  ghlContactId?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  email?: string;
}
