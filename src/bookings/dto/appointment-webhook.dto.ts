import { Type } from 'class-transformer';
import { IsArray, IsDefined, IsISO8601, IsNotEmpty, IsOptional, IsString, ValidateNested } from 'class-validator';

/** The appointment GHL nests under `appointment` in its Appointment* webhooks; the fields the sync reads. */
export class GhlAppointmentDto {
  @IsString()
  @IsNotEmpty()
  id!: string;

  @IsOptional()
  @IsString()
  calendarId?: string;

  @IsOptional()
  @IsString()
  contactId?: string;

  @IsOptional()
  @IsString()
  title?: string;

  @IsOptional()
  @IsString()
  appointmentStatus?: string;

  @IsOptional()
  @IsString()
  assignedUserId?: string;

  @IsOptional()
  @IsString()
  groupId?: string;

  @IsOptional()
  @IsString()
  source?: string;

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  users?: string[];

  /** With its offset, e.g. 2023-09-25T16:00:00+05:30; stored in UTC. */
  @IsISO8601({ strict: true })
  startTime!: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  endTime?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  dateUpdated?: string;
}

/**
 * `AppointmentCreate`, `AppointmentUpdate`, `AppointmentDelete`. Notes, address and description
 * are never read: they stay in the inbox until the purge.
 */
export class GhlAppointmentWebhookDto {
  @IsString()
  @IsNotEmpty()
  locationId!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => GhlAppointmentDto)
  appointment!: GhlAppointmentDto;

  @IsOptional()
  @IsISO8601({ strict: true })
  timestamp?: string;
}
