import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import {
  IsCidrList,
  IsCronOrOff,
  IsDurationList,
  IsHttpUrl,
  IsKeyList,
  IsPhoneRegion,
  IsPostgresUrl,
  IsPublicKeyOf,
} from './environment.rules.js';
import { HIGHLEVEL_ED25519_PUBLIC_KEY, HIGHLEVEL_RSA_PUBLIC_KEY } from './ghl-public-keys.js';

export const SERVICE_ROLES = ['all', 'api', 'worker'] as const;
export type ServiceRole = (typeof SERVICE_ROLES)[number];

export const OUTBOUND_MODES = ['push', 'shadow', 'off'] as const;
export type OutboundMode = (typeof OUTBOUND_MODES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const toBoolean = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const normalized = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(normalized)) return true;
  if (['false', '0', 'no', 'off'].includes(normalized)) return false;
  return value;
};

/**
 * The environment variables the service reads, with their defaults and rules. Property names are
 * the variable names, so a validation message names the variable. `.env.example` documents each.
 */
export class Environment {
  @IsOptional()
  @IsPostgresUrl()
  DATABASE_URL?: string;

  // class-validator runs the decorator nearest the property first; the type check should report first.
  @Type(() => Number)
  @Min(0)
  @Max(65535)
  @IsInt()
  PORT: number = 3000;

  @IsString()
  HOST: string = '0.0.0.0';

  @IsIn(SERVICE_ROLES)
  SERVICE_ROLE: ServiceRole = 'all';

  @Type(() => Number)
  @Min(1)
  @Max(3600)
  @IsInt()
  HTTP_REQUEST_TIMEOUT_SECONDS: number = 30;

  @Type(() => Number)
  @Min(1)
  @Max(3600)
  @IsInt()
  HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: number = 5;

  @Transform(toBoolean)
  @IsBoolean()
  MIGRATE_ON_START: boolean = true;

  @IsPublicKeyOf('ed25519')
  GHL_WEBHOOK_PUBLIC_KEY: string = HIGHLEVEL_ED25519_PUBLIC_KEY;

  @IsPublicKeyOf('rsa')
  GHL_WEBHOOK_RSA_PUBLIC_KEY: string = HIGHLEVEL_RSA_PUBLIC_KEY;

  @Type(() => Number)
  @Min(1)
  @Max(86_400)
  @IsInt()
  GHL_WEBHOOK_MAX_AGE_SECONDS: number = 300;

  // GHL's wait for an answer is undocumented (about 10 s); a 429 must reach it before that.
  @Type(() => Number)
  @Min(100)
  @Max(9_000)
  @IsInt()
  WEBHOOK_STORE_TIMEOUT_MS: number = 3_000;

  @IsOptional()
  @IsCidrList()
  WEBHOOK_IP_ALLOWLIST?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9-]+$/, {
    message: 'WEBHOOK_CLIENT_IP_HEADER must be an HTTP header name such as x-forwarded-for',
  })
  WEBHOOK_CLIENT_IP_HEADER?: string;

  @IsHttpUrl()
  GHL_API_BASE_URL: string = 'https://services.leadconnectorhq.com';

  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'GHL_LOCATION_ID must contain only letters, digits, "_" and "-"' })
  GHL_LOCATION_ID?: string;

  @IsOptional()
  @IsString()
  GHL_PRIVATE_INTEGRATION_TOKEN?: string;

  @Type(() => Number)
  @Min(0)
  @Max(200_000)
  @IsInt()
  GHL_DAILY_RESERVE: number = 10_000;

  @IsDurationList()
  SYNC_RETRY_DELAYS: string = '1m,5m,15m,1h,6h';

  @IsCronOrOff()
  BACKFILL_CRON: string = '0 3 * * *';

  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value))
  @IsPhoneRegion()
  DEFAULT_PHONE_REGION: string = 'US';

  @Type(() => Number)
  @Min(0)
  @Max(3650)
  @IsInt()
  INBOX_RETENTION_DAYS: number = 7;

  @IsOptional()
  @IsString()
  POSTHOG_API_KEY?: string;

  @IsHttpUrl()
  POSTHOG_HOST: string = 'https://us.i.posthog.com';

  @IsOptional()
  @IsKeyList(16)
  GRAPHQL_API_KEYS?: string;

  @Type(() => Number)
  @Min(1)
  @Max(100)
  @IsInt()
  GRAPHQL_MAX_DEPTH: number = 10;

  @Type(() => Number)
  @Min(0)
  @Max(1000)
  @IsInt()
  GRAPHQL_MAX_ALIASES: number = 20;

  @Type(() => Number)
  @Min(1)
  @Max(100_000_000)
  @IsInt()
  GRAPHQL_MAX_COST: number = 50_000;

  // graphql-js parses recursively: about 15,000 tokens of nesting overflow its stack (measured),
  // so the ceiling stays well below that.
  @Type(() => Number)
  @Min(200)
  @Max(10_000)
  @IsInt()
  GRAPHQL_MAX_TOKENS: number = 5_000;

  @Type(() => Number)
  @Min(100)
  @Max(600_000)
  @IsInt()
  GRAPHQL_STATEMENT_TIMEOUT_MS: number = 5_000;

  @Type(() => Number)
  @Min(1)
  @Max(100)
  @IsInt()
  GRAPHQL_DB_POOL_SIZE: number = 4;

  // Comma-separated field:rule; each entry is checked by loadAppConfig (parseFieldRules).
  @IsOptional()
  @IsString()
  SYNC_FIELD_RULES?: string;

  // Unset: push where GHL's location and token are set, else off (loadAppConfig).
  @IsOptional()
  @IsIn(OUTBOUND_MODES)
  OUTBOUND_MODE?: OutboundMode;

  @Type(() => Number)
  @Min(1)
  @Max(1000)
  @IsInt()
  OUTBOUND_LOOP_LIMIT: number = 10;

  // ignore | delete | tag:<name>; checked by loadAppConfig (parseOutboundDeletes).
  @IsString()
  OUTBOUND_DELETES: string = 'ignore';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';
}

/** Variables whose values never appear in an error message or a log line. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  'DATABASE_URL',
  'GHL_PRIVATE_INTEGRATION_TOKEN',
  'POSTHOG_API_KEY',
  'GRAPHQL_API_KEYS',
]);
