import { IsISO8601, IsNotEmpty, IsNumber, IsOptional, IsString } from 'class-validator';

/**
 * The seven `Opportunity*` webhooks share this flat schema (GHL's docs). No `dateUpdated`: changes
 * are ordered by the delivery `timestamp` (ADR 0008). `assignedTo` and `source` are not stored.
 */
export class GhlOpportunityWebhookDto {
  @IsString()
  @IsNotEmpty()
  id!: string;

  @IsString()
  @IsNotEmpty()
  locationId!: string;

  @IsOptional()
  @IsString()
  contactId?: string;

  @IsOptional()
  @IsString()
  name?: string | null;

  @IsOptional()
  @IsString()
  status?: string;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  monetaryValue?: number | null;

  @IsOptional()
  @IsString()
  pipelineId?: string;

  @IsOptional()
  @IsString()
  pipelineStageId?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  timestamp?: string;
}
