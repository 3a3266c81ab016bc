import { Args, ArgsType, Field, ID, Query, Resolver } from '@nestjs/graphql';
import { ModuleRef } from '@nestjs/core';
import { IsUUID } from 'class-validator';
import { GraphQLError } from 'graphql';
import type { OutboundPlan as Plan } from '../outbound-plan.js';
import { OutboundPlan } from './outbound-plan.model.js';
import { ContactNotFoundError, OutboundPreviewService } from './outbound-preview.service.js';

@ArgsType()
export class OutboundPreviewArgs {
  @Field(() => ID, { description: 'The local Contact.id.' })
  @IsUUID()
  contactId!: string;
}

/**
 * `outboundPreview`: in the schema whatever the configuration; it answers where OUTBOUND_MODE is
 * push or shadow, the only configurations with GHL's client (and so the planner) loaded.
 */
@Resolver(() => OutboundPlan)
export class OutboundPreviewResolver {
  constructor(private readonly modules: ModuleRef) {}

  @Query(() => OutboundPlan, {
    description:
      'The plan the outbound worker would carry out now for this contact (the same planner), writing nothing anywhere; it may read GHL to tell LINK from CREATE.',
  })
  async outboundPreview(@Args() { contactId }: OutboundPreviewArgs): Promise<Plan> {
    try {
      return await this.previews().preview(contactId);
    } catch (error) {
      if (error instanceof ContactNotFoundError)
        throw new GraphQLError(error.message, { extensions: { code: 'NOT_FOUND' } });
      throw error;
    }
  }

  private previews(): OutboundPreviewService {
    try {
      return this.modules.get(OutboundPreviewService, { strict: false });
    } catch {
      throw new GraphQLError('outbound preview needs OUTBOUND_MODE=push or shadow (and GHL credentials)', {
        extensions: { code: 'FAILED_PRECONDITION' },
      });
    }
  }
}
