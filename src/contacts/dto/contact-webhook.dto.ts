import { Type } from 'class-transformer';
import { IsArray, IsDefined, IsISO8601, IsNotEmpty, IsOptional, IsString, ValidateNested } from 'class-validator';

export class GhlCustomFieldValueDto {
  @IsString()
  @IsNotEmpty()
  id!: string;

  /** Text, number, list or object, depending on the field's type in GHL. */
  @IsOptional()
  value?: unknown;
}

/**
 * The fields of GHL's contact webhooks (`ContactCreate`, `ContactUpdate`, `ContactDelete`,
 * `ContactTagUpdate`) that the sync reads. GHL sends more (address, dnd, source...) and adds fields
 * without notice: those pass through unvalidated and are never stored outside the inbox. Any field
 * may be missing from a delivery (GHL sends partial bodies); a missing field leaves the stored value
 * as it is, an empty one clears it.
 */
export class GhlContactWebhookDto {
  @IsString()
  @IsNotEmpty()
  id!: string;

  @IsString()
  @IsNotEmpty()
  locationId!: string;

  @IsOptional()
  @IsString()
  email?: string | null;

  @IsOptional()
  @IsString()
  phone?: string | null;

  @IsOptional()
  @IsString()
  firstName?: string | null;

  @IsOptional()
  @IsString()
  lastName?: string | null;

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  tags?: string[] | null;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @IsDefined({ each: true })
  @Type(() => GhlCustomFieldValueDto)
  customFields?: GhlCustomFieldValueDto[] | null;

  /** Present in REST responses (backfill), absent from contact webhooks. */
  @IsOptional()
  @IsISO8601({ strict: true })
  dateUpdated?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  timestamp?: string;
}
