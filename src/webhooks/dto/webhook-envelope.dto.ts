import { IsISO8601, IsNotEmpty, IsOptional, IsString } from 'class-validator';

/**
 * The fields every GHL app webhook shares. `timestamp` is required: it sits inside the signed body
 * and is the only replay protection a signature gives (HighLevel's webhook authentication guide).
 */
export class GhlWebhookEnvelopeDto {
  @IsString()
  @IsNotEmpty()
  type!: string;

  @IsOptional()
  @IsString()
  locationId?: string;

  @IsISO8601({ strict: true })
  timestamp!: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  webhookId?: string;
}
