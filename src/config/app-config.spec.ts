import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigValidationError, loadAppConfig } from './app-config.js';
import { HIGHLEVEL_ED25519_PUBLIC_KEY, HIGHLEVEL_RSA_PUBLIC_KEY, readPublicKey } from './ghl-public-keys.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadAppConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('loadAppConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = loadAppConfig({});
    expect(config.databaseUrl).toBeUndefined();
    expect(config.http).toEqual({
      host: '0.0.0.0',
      port: 3000,
      requestTimeoutSeconds: 30,
      keepAliveTimeoutSeconds: 5,
    });
    expect(config.serviceRole).toBe('all');
    expect(config.runsWorkers && config.servesApi).toBe(true);
    expect(config.migrateOnStart).toBe(true);
    expect(config.webhooks.maxAgeSeconds).toBe(300);
    expect(config.webhooks.storeTimeoutMs).toBe(3_000);
    expect(config.webhooks.ipAllowlist).toEqual([]);
    expect(config.webhooks.ed25519PublicKey.equals(readPublicKey(HIGHLEVEL_ED25519_PUBLIC_KEY, 'ed25519')!)).toBe(true);
    expect(config.webhooks.rsaPublicKey.asymmetricKeyDetails?.modulusLength).toBe(4096);
    expect(config.ghl.apiBaseUrl).toBe('https://services.leadconnectorhq.com');
    expect(config.ghl.dailyReserve).toBe(10_000);
    expect(config.sync.retryDelaysSeconds).toEqual([60, 300, 900, 3600, 21_600]);
    expect(config.sync.backfillCron).toBe('0 3 * * *');
    expect(config.sync.defaultPhoneRegion).toBe('US');
    expect(config.sync.inboxRetentionDays).toBe(7);
    expect(config.webhooks.clientIpHeader).toBeUndefined();
    expect(config.posthog.apiKey).toBeUndefined();
    expect(config.graphql).toEqual({
      apiKeys: [],
      limits: { maxDepth: 10, maxAliases: 20, maxCost: 50_000, maxTokens: 5_000 },
      statementTimeoutMs: 5_000,
      poolSize: 4,
    });
    expect(config.outbound).toEqual({ mode: 'off', loopLimit: 10, deletes: { kind: 'ignore' } });
    expect(config.syncsOutbound).toBe(false);
    expect(config.pushesToGhl).toBe(false);
    expect(config.logLevel).toBe('info');
  });

  it('reads every variable it is given', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const spkiBase64 = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const config = loadAppConfig({
      DATABASE_URL: 'postgresql://app:secret@db.example.com:5432/trainu',
      PORT: '8080',
      HOST: '127.0.0.1',
      SERVICE_ROLE: 'worker',
      HTTP_REQUEST_TIMEOUT_SECONDS: '12',
      HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: '65',
      MIGRATE_ON_START: 'false',
      GHL_WEBHOOK_PUBLIC_KEY: spkiBase64,
      GHL_WEBHOOK_RSA_PUBLIC_KEY: HIGHLEVEL_RSA_PUBLIC_KEY,
      GHL_WEBHOOK_MAX_AGE_SECONDS: '120',
      WEBHOOK_IP_ALLOWLIST: '10.0.0.0/8, 192.168.1.7 ,2001:db8::/32',
      GHL_API_BASE_URL: 'http://127.0.0.1:4010/',
      GHL_LOCATION_ID: 've9EPM428h8vShlRW1KT',
      GHL_PRIVATE_INTEGRATION_TOKEN: 'pit-123',
      GHL_DAILY_RESERVE: '5000',
      SYNC_RETRY_DELAYS: '1,2,3',
      BACKFILL_CRON: 'off',
      DEFAULT_PHONE_REGION: 'gb',
      INBOX_RETENTION_DAYS: '30',
      WEBHOOK_CLIENT_IP_HEADER: 'X-Forwarded-For',
      POSTHOG_API_KEY: 'phc_abc',
      POSTHOG_HOST: 'http://127.0.0.1:4020',
      GRAPHQL_API_KEYS: 'first-key-0123456789,second-key-0123456789',
      GRAPHQL_MAX_DEPTH: '8',
      GRAPHQL_MAX_ALIASES: '0',
      GRAPHQL_MAX_COST: '2000',
      GRAPHQL_MAX_TOKENS: '1000',
      GRAPHQL_STATEMENT_TIMEOUT_MS: '2500',
      GRAPHQL_DB_POOL_SIZE: '2',
      OUTBOUND_MODE: 'shadow',
      OUTBOUND_LOOP_LIMIT: '25',
      OUTBOUND_DELETES: 'tag:Left-TrainU',
      SYNC_FIELD_RULES: 'email:prefer_trainu, customField.goal_1:ghl_only',
      LOG_LEVEL: 'debug',
    });
    expect(config.databaseUrl).toBe('postgresql://app:secret@db.example.com:5432/trainu');
    expect(config.http).toEqual({
      host: '127.0.0.1',
      port: 8080,
      requestTimeoutSeconds: 12,
      keepAliveTimeoutSeconds: 65,
    });
    expect(config.serviceRole).toBe('worker');
    expect(config.runsWorkers).toBe(true);
    expect(config.servesApi).toBe(false);
    expect(config.migrateOnStart).toBe(false);
    expect(config.webhooks.ed25519PublicKey.equals(publicKey)).toBe(true);
    expect(config.webhooks.maxAgeSeconds).toBe(120);
    expect(config.webhooks.ipAllowlist).toEqual(['10.0.0.0/8', '192.168.1.7', '2001:db8::/32']);
    expect(config.ghl).toEqual({
      apiBaseUrl: 'http://127.0.0.1:4010',
      locationId: 've9EPM428h8vShlRW1KT',
      privateIntegrationToken: 'pit-123',
      dailyReserve: 5000,
    });
    const { fieldRules, ...sync } = config.sync;
    expect(sync).toEqual({
      retryDelaysSeconds: [1, 2, 3],
      backfillCron: undefined,
      defaultPhoneRegion: 'GB',
      inboxRetentionDays: 30,
    });
    expect(fieldRules.describe()).toBe('email:prefer_trainu,customField.goal_1:ghl_only');
    expect(fieldRules.ruleOf('firstName')).toBe('two_way');
    expect(config.webhooks.clientIpHeader).toBe('x-forwarded-for');
    expect(config.posthog).toEqual({ apiKey: 'phc_abc', host: 'http://127.0.0.1:4020' });
    expect(config.graphql).toEqual({
      apiKeys: ['first-key-0123456789', 'second-key-0123456789'],
      limits: { maxDepth: 8, maxAliases: 0, maxCost: 2000, maxTokens: 1000 },
      statementTimeoutMs: 2500,
      poolSize: 2,
    });
    expect(config.outbound).toEqual({ mode: 'shadow', loopLimit: 25, deletes: { kind: 'tag', tag: 'left-trainu' } });
    // Shadow runs the outbound pipeline and never writes to GHL.
    expect(config.syncsOutbound).toBe(true);
    expect(config.pushesToGhl).toBe(false);
    expect(config.logLevel).toBe('debug');
  });

  it('treats empty values as unset', () => {
    expect(loadAppConfig({ PORT: '', DATABASE_URL: '  ' }).http.port).toBe(3000);
  });

  it.each([
    ['PORT', 'abc', 'PORT must be an integer number (got "abc")'],
    ['PORT', '70000', 'PORT must not be greater than 65535 (got "70000")'],
    ['SERVICE_ROLE', 'both', 'SERVICE_ROLE must be one of the following values: all, api, worker (got "both")'],
    ['HTTP_REQUEST_TIMEOUT_SECONDS', '0', 'HTTP_REQUEST_TIMEOUT_SECONDS must not be less than 1 (got "0")'],
    ['HTTP_REQUEST_TIMEOUT_SECONDS', '2.5', 'HTTP_REQUEST_TIMEOUT_SECONDS must be an integer number (got "2.5")'],
    ['HTTP_REQUEST_TIMEOUT_SECONDS', '30s', 'HTTP_REQUEST_TIMEOUT_SECONDS must be an integer number (got "30s")'],
    ['HTTP_REQUEST_TIMEOUT_SECONDS', '3601', 'HTTP_REQUEST_TIMEOUT_SECONDS must not be greater than 3600 (got "3601")'],
    ['HTTP_KEEP_ALIVE_TIMEOUT_SECONDS', '0', 'HTTP_KEEP_ALIVE_TIMEOUT_SECONDS must not be less than 1 (got "0")'],
    ['HTTP_KEEP_ALIVE_TIMEOUT_SECONDS', 'abc', 'HTTP_KEEP_ALIVE_TIMEOUT_SECONDS must be an integer number (got "abc")'],
    [
      'HTTP_KEEP_ALIVE_TIMEOUT_SECONDS',
      '7200',
      'HTTP_KEEP_ALIVE_TIMEOUT_SECONDS must not be greater than 3600 (got "7200")',
    ],
    ['MIGRATE_ON_START', 'maybe', 'MIGRATE_ON_START must be a boolean value (got "maybe")'],
    ['GHL_WEBHOOK_MAX_AGE_SECONDS', '0', 'GHL_WEBHOOK_MAX_AGE_SECONDS must not be less than 1 (got "0")'],
    ['WEBHOOK_STORE_TIMEOUT_MS', '50', 'WEBHOOK_STORE_TIMEOUT_MS must not be less than 100 (got "50")'],
    // At GHL's own wait (about 10 s) the 429 would come too late to be retried.
    ['WEBHOOK_STORE_TIMEOUT_MS', '10000', 'WEBHOOK_STORE_TIMEOUT_MS must not be greater than 9000 (got "10000")'],
    [
      'WEBHOOK_IP_ALLOWLIST',
      '10.0.0.0/33',
      'WEBHOOK_IP_ALLOWLIST must be a comma-separated list of IP addresses or CIDR ranges',
    ],
    ['WEBHOOK_IP_ALLOWLIST', 'example.com', 'WEBHOOK_IP_ALLOWLIST must be a comma-separated list'],
    ['GHL_API_BASE_URL', 'ftp://x', 'GHL_API_BASE_URL must be an http:// or https:// URL (got "ftp://x")'],
    ['SYNC_RETRY_DELAYS', '1m,soon', 'SYNC_RETRY_DELAYS must be a comma-separated list of positive durations'],
    ['BACKFILL_CRON', 'every night', 'BACKFILL_CRON must be a cron expression such as "0 3 * * *", or "off"'],
    ['POSTHOG_HOST', 'not a url', 'POSTHOG_HOST must be an http:// or https:// URL'],
    [
      'LOG_LEVEL',
      'loud',
      'LOG_LEVEL must be one of the following values: fatal, error, warn, info, debug, trace, silent',
    ],
    [
      'GHL_WEBHOOK_PUBLIC_KEY',
      'bm90IGEga2V5',
      'GHL_WEBHOOK_PUBLIC_KEY must be an Ed25519 public key, as PEM or base64-encoded SPKI',
    ],
    [
      'GHL_WEBHOOK_RSA_PUBLIC_KEY',
      HIGHLEVEL_ED25519_PUBLIC_KEY,
      'GHL_WEBHOOK_RSA_PUBLIC_KEY must be an RSA public key',
    ],
    ['GHL_LOCATION_ID', 'loc id', 'GHL_LOCATION_ID must contain only letters, digits'],
    ['DEFAULT_PHONE_REGION', 'XX', 'DEFAULT_PHONE_REGION must be a two-letter country code'],
    ['INBOX_RETENTION_DAYS', '-1', 'INBOX_RETENTION_DAYS must not be less than 0 (got "-1")'],
    ['WEBHOOK_CLIENT_IP_HEADER', 'x forwarded', 'WEBHOOK_CLIENT_IP_HEADER must be an HTTP header name'],
    ['GRAPHQL_MAX_DEPTH', '0', 'GRAPHQL_MAX_DEPTH must not be less than 1 (got "0")'],
    ['GRAPHQL_MAX_TOKENS', '20000', 'GRAPHQL_MAX_TOKENS must not be greater than 10000 (got "20000")'],
    ['GRAPHQL_STATEMENT_TIMEOUT_MS', '5s', 'GRAPHQL_STATEMENT_TIMEOUT_MS must be an integer number (got "5s")'],
    ['GRAPHQL_DB_POOL_SIZE', '0', 'GRAPHQL_DB_POOL_SIZE must not be less than 1 (got "0")'],
    ['OUTBOUND_MODE', 'on', 'OUTBOUND_MODE must be one of the following values: push, shadow, off (got "on")'],
    ['OUTBOUND_DELETES', 'purge', 'OUTBOUND_DELETES must be ignore, delete or tag:<name> (got "purge")'],
    ['OUTBOUND_LOOP_LIMIT', '0', 'OUTBOUND_LOOP_LIMIT must not be less than 1 (got "0")'],
    ['OUTBOUND_LOOP_LIMIT', '1001', 'OUTBOUND_LOOP_LIMIT must not be greater than 1000 (got "1001")'],
    ['OUTBOUND_LOOP_LIMIT', '2.5', 'OUTBOUND_LOOP_LIMIT must be an integer number (got "2.5")'],
  ])('rejects %s=%j and names the variable and its rule', (variable, value, message) => {
    const env: Record<string, string> = { [variable]: value };
    if (variable === 'GHL_LOCATION_ID') env.GHL_PRIVATE_INTEGRATION_TOKEN = 'pit-1';
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it('never echoes the value of a secret variable', () => {
    const problems = problemsOf({ DATABASE_URL: 'mysql://root:hunter2@db/x', GRAPHQL_API_KEYS: 'short' });
    expect(problems).toEqual([
      'DATABASE_URL must be a postgres:// or postgresql:// connection URL (got (value hidden))',
      'GRAPHQL_API_KEYS must be a comma-separated list of keys, each at least 16 characters without spaces (got (value hidden))',
    ]);
    expect(problems.join()).not.toContain('hunter2');
  });

  it('requires the GHL location and its token together', () => {
    expect(problemsOf({ GHL_LOCATION_ID: 'abc' })).toEqual([
      'GHL_LOCATION_ID and GHL_PRIVATE_INTEGRATION_TOKEN must be set together (REST backfill needs both)',
    ]);
    expect(problemsOf({ GHL_PRIVATE_INTEGRATION_TOKEN: 'pit' })).toHaveLength(1);
  });

  it('stops on a bad SYNC_FIELD_RULES entry, naming the variable and the entry', () => {
    expect(
      problemsOf({ SYNC_FIELD_RULES: 'email:prefer_trainu,fistName:ghl_only,phone:mine,tags,email:two_way' }),
    ).toEqual([
      'SYNC_FIELD_RULES entry "fistName:ghl_only": unknown field "fistName" (fields: email, phone, firstName, lastName, tags, customField.<fieldId>, tag.<pattern>)',
      'SYNC_FIELD_RULES entry "phone:mine": unknown rule "mine" (rules: two_way, prefer_ghl, prefer_trainu, prefer_ghl_unless_blank, prefer_trainu_unless_blank, ghl_only, trainu_only)',
      'SYNC_FIELD_RULES entry "tags": must be field:rule, such as email:prefer_trainu',
      'SYNC_FIELD_RULES entry "email:two_way": field "email" has a rule already (prefer_trainu)',
    ]);
    expect(problemsOf({ SYNC_FIELD_RULES: 'customField.:ghl_only' })).toHaveLength(1);
    expect(loadAppConfig({}).sync.fieldRules.describe()).toBe('');
  });

  it('pushes outbound by default where GHL is configured, else captures only', () => {
    const ghl = { GHL_LOCATION_ID: 'loc', GHL_PRIVATE_INTEGRATION_TOKEN: 'pit' };
    expect(loadAppConfig(ghl).outbound.mode).toBe('push');
    expect(loadAppConfig(ghl).syncsOutbound).toBe(true);
    expect(loadAppConfig({ ...ghl, OUTBOUND_MODE: 'off' }).syncsOutbound).toBe(false);
    expect(loadAppConfig({ OUTBOUND_MODE: 'off' }).outbound.mode).toBe('off');
  });

  it.each(['push', 'shadow'])('refuses OUTBOUND_MODE=%s without GHL credentials, naming what is missing', (mode) => {
    expect(problemsOf({ OUTBOUND_MODE: mode })).toEqual([
      `OUTBOUND_MODE=${mode} needs GHL_LOCATION_ID and GHL_PRIVATE_INTEGRATION_TOKEN (or set OUTBOUND_MODE=off)`,
    ]);
  });

  it('reports every bad variable at once, in one error message', () => {
    try {
      loadAppConfig({ PORT: '-1', LOG_LEVEL: 'x', SERVICE_ROLE: 'y' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigValidationError);
      const message = (error as Error).message;
      expect(message.split('\n')[0]).toBe('Invalid configuration:');
      for (const variable of ['PORT', 'LOG_LEVEL', 'SERVICE_ROLE']) expect(message).toContain(`  - ${variable} `);
    }
  });
});
