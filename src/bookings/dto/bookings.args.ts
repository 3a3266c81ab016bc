import { ArgsType, Field, GraphQLISODateTime, ID, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { IsBoolean, IsDate, IsEnum, IsOptional, IsString, IsUUID, ValidateNested } from 'class-validator';
import { BookingStatus } from '../../generated/prisma/enums.js';
import { PaginationArgs } from '../../graphql/pagination.js';

@InputType()
export class BookingFilter {
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  contactId?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  ghlContactId?: string;

  @Field(() => BookingStatus, { nullable: true })
  @IsOptional()
  @IsEnum(BookingStatus)
  status?: BookingStatus;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Bookings starting at or after this time.' })
  @IsOptional()
  @IsDate()
  startsAfter?: Date;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Bookings starting before this time.' })
  @IsOptional()
  @IsDate()
  startsBefore?: Date;

  @Field(() => Boolean, { nullable: true, description: 'Include bookings deleted in GHL.' })
  @IsOptional()
  @IsBoolean()
  includeDeleted?: boolean;
}

@ArgsType()
export class BookingsArgs extends PaginationArgs {
  @Field(() => BookingFilter, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => BookingFilter)
  filter?: BookingFilter;
}
