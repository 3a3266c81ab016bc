import { ArgsType, Field, ID } from '@nestjs/graphql';
import { IsOptional, IsUUID } from 'class-validator';
import { PaginationArgs } from '../../graphql/pagination.js';

@ArgsType()
export class SyncConflictsArgs extends PaginationArgs {
  @Field(() => ID, { nullable: true, description: "One contact's conflicts (the local Contact.id); all when absent." })
  @IsOptional()
  @IsUUID()
  contactId?: string;
}

@ArgsType()
export class SyncConflictIdArgs {
  @Field(() => ID)
  @IsUUID()
  id!: string;
}
