import { IsISO8601, IsNotEmpty, IsOptional, IsString } from 'class-validator';

/**
 * The fields every GHL app webhook shares. None is required: a signed body without `type` is kept
 * as IGNORED, and one without `timestamp` is accepted without the replay window (ADR 0006). Present,
 * each must be well formed.
 */
export class GhlWebhookEnvelopeDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  type?: string | null;

  @IsOptional()
  @IsString()
  locationId?: string;

  /**
   * GHL's send time, inside the signed body: the only replay protection a signature gives. Real
   * deliveries carry it, HighLevel's published webhook examples do not.
   */
  @IsOptional()
  @IsISO8601({ strict: true })
  timestamp?: string | null;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  webhookId?: string;
}
