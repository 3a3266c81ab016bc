import { Injectable } from '@nestjs/common';
import { ReadPrismaService } from '../../database/read-prisma.service.js';
import type { ActivityMinute, LocationOverview, ObjectActivity } from './sync-overview.model.js';

const NO_LOCATION = '(none)';

/** The object an event type belongs to, in SQL: the types' prefixes, as the inbox dispatch reads them. */
const OBJECT_OF_TYPE = `CASE WHEN type LIKE 'Contact%' THEN 'contacts'
                             WHEN type LIKE 'Appointment%' THEN 'appointments'
                             WHEN type LIKE 'Opportunity%' THEN 'opportunities'
                             ELSE 'other' END`;

interface ObjectRow extends Omit<ObjectActivity, 'lastWebhookAt'> {
  locationId: string;
}

/**
 * The console's overview (ADR 0025), from the inbox and the outbound write log, each read through
 * its time index and bounded to the last hour (per location and object) or the last 24 h (the
 * per-minute chart, at most 1,440 rows).
 */
@Injectable()
export class SyncOverviewService {
  constructor(private readonly reads: ReadPrismaService) {}

  async locations(): Promise<LocationOverview[]> {
    const [processed, received] = await Promise.all([
      this.reads.$queryRawUnsafe<ObjectRow[]>(
        `SELECT COALESCE(location_id, '${NO_LOCATION}') AS "locationId", ${OBJECT_OF_TYPE} AS object,
                count(*)::int AS "processedLastHour",
                (count(*) FILTER (WHERE outcome IN ('FAILED', 'DEAD_LETTERED')))::int AS "failedLastHour",
                percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at) * 1000) AS "lagP50Ms",
                percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at) * 1000) AS "lagP99Ms"
           FROM ghl_sync.sync_events WHERE processed_at > now() - interval '1 hour'
          GROUP BY 1, 2`,
      ),
      this.reads.$queryRawUnsafe<{ locationId: string; object: string; lastWebhookAt: Date }[]>(
        `SELECT COALESCE(location_id, '${NO_LOCATION}') AS "locationId", ${OBJECT_OF_TYPE} AS object,
                max(received_at) AS "lastWebhookAt"
           FROM ghl_sync.sync_events WHERE received_at > now() - interval '24 hours'
          GROUP BY 1, 2`,
      ),
    ]);
    const byKey = new Map<string, ObjectActivity & { locationId: string }>();
    for (const row of received) {
      byKey.set(`${row.locationId}/${row.object}`, { ...emptyActivity(row.object), ...row });
    }
    for (const { locationId, ...row } of processed) {
      const key = `${locationId}/${row.object}`;
      byKey.set(key, { ...(byKey.get(key) ?? { ...emptyActivity(row.object), locationId }), ...row });
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

  async activity(): Promise<ActivityMinute[]> {
    const rows = await this.reads.$queryRawUnsafe<
      (Omit<ActivityMinute, 'outboundWrites'> & { outboundWrites?: number })[]
    >(
      `WITH events AS (
         SELECT date_trunc('minute', processed_at) AS minute,
                (count(*) FILTER (WHERE outcome = 'APPLIED'))::int AS applied,
                (count(*) FILTER (WHERE outcome = 'STALE'))::int AS stale,
                (count(*) FILTER (WHERE outcome = 'IGNORED'))::int AS ignored,
                (count(*) FILTER (WHERE outcome IN ('FAILED', 'DEAD_LETTERED')))::int AS failed
           FROM ghl_sync.sync_events WHERE processed_at > now() - interval '24 hours' GROUP BY 1),
       writes AS (
         SELECT date_trunc('minute', written_at) AS minute, count(*)::int AS "outboundWrites"
           FROM ghl_sync.outbound_writes WHERE written_at > now() - interval '24 hours' GROUP BY 1)
       SELECT COALESCE(e.minute, w.minute) AS minute, COALESCE(e.applied, 0) AS applied, COALESCE(e.stale, 0) AS stale,
              COALESCE(e.ignored, 0) AS ignored, COALESCE(e.failed, 0) AS failed,
              COALESCE(w."outboundWrites", 0) AS "outboundWrites"
         FROM events e FULL JOIN writes w ON w.minute = e.minute
        ORDER BY 1`,
    );
    return rows.map((row) => ({ ...row, outboundWrites: row.outboundWrites ?? 0 }));
  }
}

function emptyActivity(object: string): ObjectActivity {
  return { object, lastWebhookAt: null, processedLastHour: 0, failedLastHour: 0, lagP50Ms: null, lagP99Ms: null };
}
