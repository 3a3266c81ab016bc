import type { GhlApiStandIn } from './ghl-api-stand-in.js';
import { eventually, startTestApp, type TestApp } from './test-app.js';
import type { TestDatabase } from './test-database.js';

/** Waits on the outbound sync of one test database and GHL stand-in. */
export function outboundWaits(database: () => TestDatabase, ghl: () => GhlApiStandIn) {
  return {
    /** Every outbox row of the contact pushed, and the contact linked: the id it got in GHL. */
    pushed: (contactId: string, timeoutMs = 15_000) =>
      eventually(
        async () => {
          const [row] = await database().query<{ ghl: string | null; pending: number }>(
            `SELECT c.ghl_contact_id AS ghl,
                    (SELECT count(*)::int FROM ghl_sync.contact_outbox o WHERE o.contact_id = c.id AND o.pushed_at IS NULL) AS pending
               FROM contacts c WHERE c.id = $1`,
            [contactId],
          );
          return row?.ghl && row.pending === 0 ? row.ghl : undefined;
        },
        timeoutMs,
        `contact ${contactId} pushed`,
      ),
    /** Waits until every webhook the stand-in sent is delivered, every inbox row processed and the outbox empty. */
    quiet: async () => {
      await ghl().settled();
      await eventually(async () => {
        const [row] = await database().query<{ pending: number }>(
          "SELECT count(*)::int AS pending FROM ghl_sync.sync_events WHERE outcome = 'PENDING'",
        );
        const [outbox] = await database().query<{ pending: number }>(
          'SELECT count(*)::int AS pending FROM ghl_sync.contact_outbox WHERE pushed_at IS NULL AND dead_lettered_at IS NULL',
        );
        return row!.pending === 0 && outbox!.pending === 0 ? true : undefined;
      }, 20_000);
    },
  };
}

/**
 * The service pushing to `ghl` (OUTBOUND_MODE=push, no backfill schedule), with the stand-in's
 * signed webhooks coming back to it after `webhookDelayMs`.
 */
export async function startPushingService(
  database: TestDatabase,
  ghl: GhlApiStandIn,
  env: Record<string, string>,
  webhookDelayMs = 100,
): Promise<TestApp> {
  const service = await startTestApp(database.url, {
    ...ghl.webhookSigner.env(),
    GHL_API_BASE_URL: ghl.url,
    GHL_LOCATION_ID: ghl.locationId,
    GHL_PRIVATE_INTEGRATION_TOKEN: ghl.token,
    BACKFILL_CRON: 'off',
    OUTBOUND_MODE: 'push',
    ...env,
  });
  ghl.sendWebhooksTo({ url: `${service.url}/webhooks/ghl`, delayMs: webhookDelayMs });
  return service;
}
