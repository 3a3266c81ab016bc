/**
 * Reporting data at scale, written set-based (generate_series) straight into the synced tables:
 * contacts with tags, bookings, and opportunities over a few pipelines and stages. Shared by the
 * query-plan test and bench/graphql.bench.js (through dist-tools), so both read the same shapes.
 *
 * - contacts: created evenly over 2025, one in 100 deleted; every one tagged `lead` and one of 20
 *   `tag-<n>`, one in 10 `vip`, one in 50 `boot camp`;
 * - bookings: `contacts × 3` by default, created evenly over 2025 and each starting 0 to 30 days
 *   after it was created (as real bookings are made ahead), statuses in turn, one in 100 deleted;
 * - opportunities over 3 pipelines of 5 positioned stages, plus one stage seen in a webhook before
 *   the pipelines backfill (no name, no position); 6 in 10 open, one in 100 deleted.
 */
export interface ReportingScale {
  readonly contacts: number;
  readonly bookings: number;
  readonly opportunities: number;
}

export const BENCH_SCALE: ReportingScale = { contacts: 100_000, bookings: 300_000, opportunities: 20_000 };

/** The date range of the bookings query: one week in the middle of the seeded year. */
export const BOOKINGS_RANGE = { startsAfter: '2025-07-01T00:00:00.000Z', startsBefore: '2025-07-08T00:00:00.000Z' };

/** The tag of the contacts-by-tag query (one contact in 50 has it). */
export const REPORTING_TAG = 'boot camp';

type Query = (sql: string, values?: unknown[]) => Promise<unknown>;

export async function seedReportingData(query: Query, scale: ReportingScale): Promise<void> {
  await query(
    `INSERT INTO contacts (ghl_contact_id, ghl_location_id, email, phone, first_name, last_name,
                           ghl_updated_at, created_at, updated_at, deleted_at)
     SELECT 'seed-c-' || n, 'seed-location', 'contact' || n || '@example.com', '+1213' || lpad(n::text, 7, '0'),
            'First' || n, 'Last' || n, t, t, t, CASE WHEN n % 100 = 0 THEN t + interval '1 day' END
       FROM generate_series(1, $1::int) n,
            LATERAL (SELECT timestamptz '2025-01-01Z' + n * (interval '365 days' / $1::int) AS t) created`,
    [scale.contacts],
  );
  await query(`
    INSERT INTO contact_tags (contact_id, tag)
    SELECT id, tag FROM (
      SELECT c.id, n, unnest(ARRAY['lead', 'tag-' || (n % 20),
                                   CASE WHEN n % 10 = 0 THEN 'vip' END,
                                   CASE WHEN n % 50 = 7 THEN 'boot camp' END]) AS tag
        FROM contacts c, LATERAL (SELECT substring(c.ghl_contact_id FROM 8)::int AS n) k
       WHERE c.ghl_contact_id LIKE 'seed-c-%') tagged
     WHERE tag IS NOT NULL`);
  await query(
    `INSERT INTO bookings (ghl_appointment_id, ghl_location_id, contact_id, ghl_contact_id, calendar_id, title,
                           status, status_raw, starts_at, ends_at, ghl_updated_at, created_at, updated_at, deleted_at)
     SELECT 'seed-b-' || n, 'seed-location', c.id, c.ghl_contact_id, 'calendar-' || (n % 4), 'Session ' || n,
            (ARRAY['SCHEDULED', 'CONFIRMED', 'COMPLETED', 'NO_SHOW', 'CANCELED'])[n % 5 + 1]::booking_status,
            (ARRAY['booked', 'confirmed', 'showed', 'noshow', 'cancelled'])[n % 5 + 1],
            t + (n::bigint * 7919 % 2592000) * interval '1 second', t + (n::bigint * 7919 % 2592000 + 3600) * interval '1 second',
            t, t, t, CASE WHEN n % 100 = 0 THEN t + interval '1 day' END
       FROM generate_series(1, $1::int) n
       JOIN contacts c ON c.ghl_contact_id = 'seed-c-' || ((n - 1) % $2::int + 1),
            LATERAL (SELECT timestamptz '2025-01-01Z' + n * (interval '365 days' / $1::int) AS t) created`,
    [scale.bookings, scale.contacts],
  );
  await query(`
    INSERT INTO pipelines (ghl_pipeline_id, ghl_location_id, name)
    VALUES ('seed-p-1', 'seed-location', 'Sales'), ('seed-p-2', 'seed-location', 'Coaching'),
           ('seed-p-3', 'seed-location', 'Renewals')`);
  await query(`
    INSERT INTO pipeline_stages (pipeline_id, ghl_stage_id, name, position)
    SELECT p.id, p.ghl_pipeline_id || '-s' || k, 'Stage ' || k, k
      FROM pipelines p CROSS JOIN generate_series(0, 4) k WHERE p.ghl_pipeline_id LIKE 'seed-p-%'
    UNION ALL
    SELECT id, 'seed-p-1-unpositioned', NULL, NULL FROM pipelines WHERE ghl_pipeline_id = 'seed-p-1'`);
  await query(
    `INSERT INTO opportunities (ghl_opportunity_id, ghl_location_id, contact_id, ghl_contact_id, pipeline_id, stage_id,
                                name, status, status_raw, monetary_value, ghl_updated_at, ghl_version,
                                created_at, updated_at, deleted_at)
     SELECT 'seed-o-' || n, 'seed-location', c.id, c.ghl_contact_id, s.pipeline_id, s.id, 'Deal ' || n,
            (ARRAY['OPEN', 'OPEN', 'OPEN', 'OPEN', 'OPEN', 'OPEN', 'WON', 'WON', 'LOST', 'ABANDONED'])[n % 10 + 1]::opportunity_status,
            (ARRAY['open', 'open', 'open', 'open', 'open', 'open', 'won', 'won', 'lost', 'abandoned'])[n % 10 + 1],
            (n % 50) * 100, t, to_char(t, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '|seed', t, t,
            CASE WHEN n % 100 = 0 THEN t + interval '1 day' END
       FROM generate_series(1, $1::int) n
       JOIN contacts c ON c.ghl_contact_id = 'seed-c-' || ((n * 7) % $2::int + 1)
       JOIN (SELECT id, pipeline_id, row_number() OVER (ORDER BY ghl_stage_id) - 1 AS k
               FROM pipeline_stages WHERE ghl_stage_id LIKE 'seed-p-%') s ON s.k = n % 16,
            LATERAL (SELECT timestamptz '2025-01-01Z' + n * (interval '365 days' / $1::int) AS t) created`,
    [scale.opportunities, scale.contacts],
  );
  await query('VACUUM ANALYZE contacts, contact_tags, bookings, pipelines, pipeline_stages, opportunities');
}
