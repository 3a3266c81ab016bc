import { Injectable } from '@nestjs/common';
import { BackfillRunsRepository } from '../../backfill/backfill-runs.repository.js';
import { BACKFILL_OBJECTS } from '../../backfill/backfill.service.js';
import { AppConfig } from '../../config/app-config.js';
import { ReadPrismaService } from '../../database/read-prisma.service.js';
import { backfillRunViewOf } from '../backfill/backfill-status.model.js';
import type { ActivityMinute, LocationOverview, ObjectActivity } from './sync-overview.model.js';

const NO_LOCATION = '(none)';

/** The object an event type belongs to, in SQL: the types' prefixes, as the inbox dispatch reads them. */
function objectOfType(type: string): string {
  return `CASE WHEN ${type} LIKE 'Contact%' THEN 'contacts'
               WHEN ${type} LIKE 'Appointment%' THEN 'appointments'
               WHEN ${type} LIKE 'Opportunity%' THEN 'opportunities'
               ELSE 'other' END`;
}

/** The (location, object) an inbox row counts for. */
const INBOX_KEY = `COALESCE(location_id, '${NO_LOCATION}') AS location_id, ${objectOfType('type')} AS object`;

/**
 * Each part of an object's row, grouped by (location, object), then joined on it. Outbound work
 * (the outbox, conflicts, outbound dead letters) belongs to GHL_LOCATION_ID ($1), the one location
 * the push writes to. Every part reads through an index: the inbox's time and unprocessed indexes,
 * the open dead letters, the pending outbox rows, the conflicts of the last 24 h.
 */
const OBJECT_FACTS = `
  WITH received AS (
    SELECT ${INBOX_KEY},
           max(received_at) AS "lastWebhookAt"
      FROM ghl_sync.sync_events WHERE received_at > now() - interval '24 hours' GROUP BY 1, 2),
  processed AS (
    SELECT ${INBOX_KEY},
           count(*)::int AS "processedLastHour",
           (count(*) FILTER (WHERE outcome IN ('FAILED', 'DEAD_LETTERED')))::int AS "failedLastHour",
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at) * 1000) AS "lagP50Ms",
           percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at) * 1000) AS "lagP99Ms"
      FROM ghl_sync.sync_events WHERE processed_at > now() - interval '1 hour' GROUP BY 1, 2),
  duplicates AS (
    SELECT COALESCE(NULLIF(location_id, ''), '${NO_LOCATION}') AS location_id, ${objectOfType('type')} AS object,
           sum(deliveries)::int AS "duplicatesLastHour"
      FROM ghl_sync.intake_duplicates WHERE minute > now() - interval '1 hour' GROUP BY 1, 2),
  waiting AS (
    SELECT ${INBOX_KEY},
           count(*)::int AS "queueDepth"
      FROM ghl_sync.sync_events WHERE processed_at IS NULL GROUP BY 1, 2),
  dead AS (
    SELECT COALESCE(payload->>'locationId', CASE WHEN payload->>'direction' = 'outbound' THEN $1 END, '${NO_LOCATION}') AS location_id,
           ${objectOfType(`(payload->>'eventType')`)} AS object, count(*)::int AS "deadLettersOpen"
      FROM ghl_sync.sync_dead_letters WHERE status = 'OPEN' GROUP BY 1, 2),
  outbox AS (
    SELECT COALESCE($1, '${NO_LOCATION}') AS location_id, 'contacts' AS object, count(*)::int AS "outboxPending"
      FROM ghl_sync.contact_outbox WHERE pushed_at IS NULL HAVING count(*) > 0),
  conflicts AS (
    SELECT COALESCE($1, '${NO_LOCATION}') AS location_id, 'contacts' AS object, count(*)::int AS "conflictsOpen"
      FROM ghl_sync.sync_conflicts
     WHERE created_at > now() - interval '24 hours' AND reapplied_at IS NULL HAVING count(*) > 0)
  SELECT location_id AS "locationId", object, "lastWebhookAt",
         COALESCE("processedLastHour", 0) AS "processedLastHour", COALESCE("failedLastHour", 0) AS "failedLastHour",
         "lagP50Ms", "lagP99Ms", COALESCE("duplicatesLastHour", 0) AS "duplicatesLastHour",
         COALESCE("queueDepth", 0) AS "queueDepth", COALESCE("deadLettersOpen", 0) AS "deadLettersOpen",
         COALESCE("outboxPending", 0) AS "outboxPending", COALESCE("conflictsOpen", 0) AS "conflictsOpen"
    FROM received
    FULL JOIN processed USING (location_id, object)
    FULL JOIN duplicates USING (location_id, object)
    FULL JOIN waiting USING (location_id, object)
    FULL JOIN dead USING (location_id, object)
    FULL JOIN outbox USING (location_id, object)
    FULL JOIN conflicts USING (location_id, object)`;

/**
 * Per minute of the last 24 h (at most 1,440 rows): inbox events by outcome when processing
 * finished, duplicates when they were turned away, writes to GHL when sent.
 */
const ACTIVITY_BY_MINUTE = `
  SELECT minute, sum(applied)::int AS applied, sum(stale)::int AS stale, sum(ignored)::int AS ignored,
         sum(failed)::int AS failed, sum(duplicate)::int AS duplicate, sum(writes)::int AS "outboundWrites"
    FROM (
      SELECT date_trunc('minute', processed_at) AS minute,
             count(*) FILTER (WHERE outcome = 'APPLIED') AS applied,
             count(*) FILTER (WHERE outcome = 'STALE') AS stale,
             count(*) FILTER (WHERE outcome = 'IGNORED') AS ignored,
             count(*) FILTER (WHERE outcome IN ('FAILED', 'DEAD_LETTERED')) AS failed,
             0 AS duplicate, 0 AS writes
        FROM ghl_sync.sync_events WHERE processed_at > now() - interval '24 hours' GROUP BY 1
      UNION ALL
      SELECT minute, 0, 0, 0, 0, sum(deliveries), 0
        FROM ghl_sync.intake_duplicates WHERE minute > now() - interval '24 hours' GROUP BY 1
      UNION ALL
      SELECT date_trunc('minute', written_at), 0, 0, 0, 0, 0, count(*)
        FROM ghl_sync.outbound_writes WHERE written_at > now() - interval '24 hours' GROUP BY 1
    ) parts
   GROUP BY minute ORDER BY minute`;

type ObjectFacts = Omit<ObjectActivity, 'lastBackfill'> & { locationId: string };

/**
 * The console's overview (ADR 0025): one statement for the figures of every (location, object),
 * one for the latest backfill runs, one for the per-minute chart; each bounded by an index and a
 * time window, however large the tables grow.
 */
@Injectable()
export class SyncOverviewService {
  constructor(
    private readonly reads: ReadPrismaService,
    private readonly runs: BackfillRunsRepository,
    private readonly config: AppConfig,
  ) {}

  async locations(): Promise<LocationOverview[]> {
    // The backfill runs for GHL_LOCATION_ID only.
    const locationId = this.config.ghl.locationId;
    const [facts, runs] = await Promise.all([
      this.reads.$queryRawUnsafe<ObjectFacts[]>(OBJECT_FACTS, locationId ?? null),
      locationId ? this.runs.latestOf(locationId, BACKFILL_OBJECTS) : [],
    ]);
    const byKey = new Map<string, ObjectActivity & { locationId: string }>();
    for (const row of facts) byKey.set(`${row.locationId}/${row.object}`, { ...row, lastBackfill: null });
    for (const run of runs) {
      const key = `${run.locationId}/${run.object}`;
      const row = byKey.get(key) ?? { ...emptyActivity(run.object), locationId: run.locationId };
      byKey.set(key, { ...row, lastBackfill: backfillRunViewOf(run) });
    }
    const locations = new Map<string, ObjectActivity[]>();
    for (const { locationId, ...activity } of byKey.values()) {
      locations.set(locationId, [...(locations.get(locationId) ?? []), activity]);
    }
    return [...locations]
      .sort(([left], [right]) => left.localeCompare(right))
      .map(([locationId, objects]) => ({
        locationId,
        objects: objects.sort((a, b) => a.object.localeCompare(b.object)),
      }));
  }

  activity(): Promise<ActivityMinute[]> {
    return this.reads.$queryRawUnsafe<ActivityMinute[]>(ACTIVITY_BY_MINUTE);
  }
}

function emptyActivity(object: string): ObjectActivity {
  return {
    object,
    lastWebhookAt: null,
    processedLastHour: 0,
    failedLastHour: 0,
    lagP50Ms: null,
    lagP99Ms: null,
    duplicatesLastHour: 0,
    queueDepth: 0,
    outboxPending: 0,
    deadLettersOpen: 0,
    conflictsOpen: 0,
    lastBackfill: null,
  };
}
