import type { KeyObject } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import type { CountryCode } from 'libphonenumber-js';
import { validateSync, type ValidationError } from 'class-validator';
import { parseDurationList } from './duration.js';
import { Environment, SECRET_VARIABLES, type LogLevel, type OutboundMode, type ServiceRole } from './environment.js';
import { splitList } from './environment.rules.js';
import { readPublicKey } from './ghl-public-keys.js';
import { parseFieldRules, type FieldRules } from '../contacts/field-rules.js';
import { parseOutboundDeletes, type OutboundDeletes } from '../outbound/outbound-deletes.js';
import type { QueryLimits } from '../graphql/query-limits.js';

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/** The settings themselves, without AppConfig's derived getters and methods. */
export type AppConfigValues = Omit<
  AppConfig,
  'runsWorkers' | 'servesApi' | 'backfillsFromGhl' | 'syncsOutbound' | 'pushesToGhl' | 'with'
>;

/** The validated, typed configuration. Built once at boot; injected wherever settings are read. */
export class AppConfig {
  /** Undefined means "start the embedded Postgres under ./.data/". */
  readonly databaseUrl: string | undefined;
  readonly http: {
    readonly host: string;
    readonly port: number;
    /** Longest a client may take to send a whole request (headers and body); see httpServerTimeouts. */
    readonly requestTimeoutSeconds: number;
    /** How long an idle keep-alive connection is kept open after a response. */
    readonly keepAliveTimeoutSeconds: number;
  };
  readonly serviceRole: ServiceRole;
  readonly migrateOnStart: boolean;
  readonly webhooks: {
    readonly ed25519PublicKey: KeyObject;
    readonly rsaPublicKey: KeyObject;
    readonly maxAgeSeconds: number;
    /** Longest the intake tries to store a delivery before answering 429 (database down or stalled). */
    readonly storeTimeoutMs: number;
    readonly ipAllowlist: readonly string[];
    /** Header a trusted proxy puts the caller's address in; its last entry is used. Unset: the socket address. */
    readonly clientIpHeader: string | undefined;
  };
  readonly ghl: {
    readonly apiBaseUrl: string;
    readonly locationId: string | undefined;
    readonly privateIntegrationToken: string | undefined;
    /** Daily requests the backfill leaves for webhook-triggered fetches. */
    readonly dailyReserve: number;
  };
  readonly sync: {
    readonly retryDelaysSeconds: readonly number[];
    readonly backfillCron: string | undefined;
    /** Region for phone numbers written without a country code (ISO 3166 alpha-2). */
    readonly defaultPhoneRegion: CountryCode;
    /** Days a processed inbox event keeps its raw payload before the purge removes it. */
    readonly inboxRetentionDays: number;
    /** SYNC_FIELD_RULES: who owns each synced field, in both directions. */
    readonly fieldRules: FieldRules;
  };
  readonly posthog: { readonly apiKey: string | undefined; readonly host: string };
  readonly graphql: {
    readonly apiKeys: readonly string[];
    readonly limits: QueryLimits;
    /** Longest a read API statement may run before Postgres cancels it. */
    readonly statementTimeoutMs: number;
    /** Connections of the read API's own pool, apart from those intake and workers use. */
    readonly poolSize: number;
  };
  readonly outbound: {
    /** push: TrainU's changes go to GHL; shadow: planned and recorded, nothing written to GHL; off: captured only. */
    readonly mode: OutboundMode;
    /** OUTBOUND_DELETES: what a TrainU delete does in GHL. */
    readonly deletes: OutboundDeletes;
    /** Outbound writes per contact per hour before the loop breaker stops the contact. */
    readonly loopLimit: number;
  };
  readonly logLevel: LogLevel;

  constructor(values: AppConfigValues) {
    this.databaseUrl = values.databaseUrl;
    this.http = values.http;
    this.serviceRole = values.serviceRole;
    this.migrateOnStart = values.migrateOnStart;
    this.webhooks = values.webhooks;
    this.ghl = values.ghl;
    this.sync = values.sync;
    this.posthog = values.posthog;
    this.graphql = values.graphql;
    this.outbound = values.outbound;
    this.logLevel = values.logLevel;
  }

  /** Queue workers and cron jobs run in this process. */
  get runsWorkers(): boolean {
    return this.serviceRole !== 'api';
  }

  /** Webhook and GraphQL endpoints are served by this process (health and metrics always are). */
  get servesApi(): boolean {
    return this.serviceRole !== 'worker';
  }

  /** The REST backfill can run: GHL_LOCATION_ID and GHL_PRIVATE_INTEGRATION_TOKEN are set. */
  get backfillsFromGhl(): boolean {
    return Boolean(this.ghl.locationId && this.ghl.privateIntegrationToken);
  }

  /**
   * The outbound relay and worker run (OUTBOUND_MODE push or shadow). The outbox triggers record
   * TrainU's changes whatever the mode, so turning it on later loses none.
   */
  get syncsOutbound(): boolean {
    return this.outbound.mode !== 'off';
  }

  /** The outbound worker writes to GHL (push); in shadow mode it only records its plans. */
  get pushesToGhl(): boolean {
    return this.outbound.mode === 'push';
  }

  with(changes: Partial<AppConfigValues>): AppConfig {
    return new AppConfig({ ...this, ...changes });
  }
}

/**
 * Validates the environment and builds the configuration. Throws ConfigValidationError listing
 * every bad variable with its rule (and its value, unless the variable holds a secret).
 */
export function loadAppConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const present = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const env = plainToInstance(Environment, present);
  const problems = validateSync(env, { stopAtFirstError: true }).flatMap((error) =>
    describeProblem(error, present[error.property]),
  );
  if (Boolean(env.GHL_LOCATION_ID) !== Boolean(env.GHL_PRIVATE_INTEGRATION_TOKEN)) {
    problems.push('GHL_LOCATION_ID and GHL_PRIVATE_INTEGRATION_TOKEN must be set together (REST backfill needs both)');
  }
  const ghlConfigured = Boolean(env.GHL_LOCATION_ID && env.GHL_PRIVATE_INTEGRATION_TOKEN);
  const outboundMode = env.OUTBOUND_MODE ?? (ghlConfigured ? 'push' : 'off');
  if ((outboundMode === 'push' || outboundMode === 'shadow') && !ghlConfigured) {
    const missing = ['GHL_LOCATION_ID', 'GHL_PRIVATE_INTEGRATION_TOKEN'].filter((name) => !present[name]);
    problems.push(`OUTBOUND_MODE=${outboundMode} needs ${missing.join(' and ')} (or set OUTBOUND_MODE=off)`);
  }
  const fieldRules = parseFieldRules(env.SYNC_FIELD_RULES);
  problems.push(...fieldRules.problems);
  const deletes = parseOutboundDeletes(env.OUTBOUND_DELETES);
  if (typeof deletes === 'string') problems.push(deletes);
  if (problems.length > 0) throw new ConfigValidationError(problems);

  return new AppConfig({
    databaseUrl: env.DATABASE_URL,
    http: {
      host: env.HOST,
      port: env.PORT,
      requestTimeoutSeconds: env.HTTP_REQUEST_TIMEOUT_SECONDS,
      keepAliveTimeoutSeconds: env.HTTP_KEEP_ALIVE_TIMEOUT_SECONDS,
    },
    serviceRole: env.SERVICE_ROLE,
    migrateOnStart: env.MIGRATE_ON_START,
    webhooks: {
      ed25519PublicKey: readPublicKey(env.GHL_WEBHOOK_PUBLIC_KEY, 'ed25519')!,
      rsaPublicKey: readPublicKey(env.GHL_WEBHOOK_RSA_PUBLIC_KEY, 'rsa')!,
      maxAgeSeconds: env.GHL_WEBHOOK_MAX_AGE_SECONDS,
      storeTimeoutMs: env.WEBHOOK_STORE_TIMEOUT_MS,
      ipAllowlist: splitList(env.WEBHOOK_IP_ALLOWLIST ?? ''),
      clientIpHeader: env.WEBHOOK_CLIENT_IP_HEADER?.toLowerCase(),
    },
    ghl: {
      apiBaseUrl: env.GHL_API_BASE_URL.replace(/\/+$/, ''),
      locationId: env.GHL_LOCATION_ID,
      privateIntegrationToken: env.GHL_PRIVATE_INTEGRATION_TOKEN,
      dailyReserve: env.GHL_DAILY_RESERVE,
    },
    sync: {
      retryDelaysSeconds: parseDurationList(env.SYNC_RETRY_DELAYS)!,
      backfillCron: env.BACKFILL_CRON === 'off' ? undefined : env.BACKFILL_CRON,
      defaultPhoneRegion: env.DEFAULT_PHONE_REGION as CountryCode,
      inboxRetentionDays: env.INBOX_RETENTION_DAYS,
      fieldRules: fieldRules.rules,
    },
    posthog: { apiKey: env.POSTHOG_API_KEY, host: env.POSTHOG_HOST },
    graphql: {
      apiKeys: splitList(env.GRAPHQL_API_KEYS ?? ''),
      limits: {
        maxDepth: env.GRAPHQL_MAX_DEPTH,
        maxAliases: env.GRAPHQL_MAX_ALIASES,
        maxCost: env.GRAPHQL_MAX_COST,
        maxTokens: env.GRAPHQL_MAX_TOKENS,
      },
      statementTimeoutMs: env.GRAPHQL_STATEMENT_TIMEOUT_MS,
      poolSize: env.GRAPHQL_DB_POOL_SIZE,
    },
    outbound: { mode: outboundMode, loopLimit: env.OUTBOUND_LOOP_LIMIT, deletes: deletes as OutboundDeletes },
    logLevel: env.LOG_LEVEL,
  });
}

function describeProblem(error: ValidationError, raw: string | undefined): string[] {
  const shown = SECRET_VARIABLES.has(error.property) ? '(value hidden)' : JSON.stringify(raw ?? error.value);
  return Object.values(error.constraints ?? {}).map((message) => `${message} (got ${shown})`);
}
