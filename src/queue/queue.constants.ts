import type { Queue, WorkOptions } from 'pg-boss';

/** pg-boss keeps its tables in a schema of its own, beside the service's. */
export const PGBOSS_SCHEMA = 'pgboss';

/** Every queue the service uses. A queue without a processor stops the boot (QueueService). */
export const QUEUES = {
  /** Process one inbox row (`sync_events`): route it by event type to its domain handler. */
  inboundEvents: 'sync.inbound-events',
  /** Drop raw webhook bodies from processed inbox rows older than INBOX_RETENTION_DAYS. */
  inboxRetention: 'maintenance.inbox-retention',
  /** Run the REST backfill (BACKFILL_CRON enqueues it; one job per tick across instances). */
  backfill: 'sync.backfill',
  /** Hourly: drop expired echo entries and long-pushed outbox rows (OutboundRetentionProcessor). */
  outboundRetention: 'maintenance.outbound-retention',
  /** Push one contact's TrainU-side changes (contact_outbox rows) to GHL; one job per contact at a time (ADR 0019). */
  outboundContacts: 'sync.outbound-contacts',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** What every job carries, so logs of a job and its retries share the webhook's correlation id. */
export interface SyncJobData {
  readonly correlationId: string;
  /** GHL event type and location the work is about (for logs and PostHog; never PII). */
  readonly eventType?: string;
  readonly locationId?: string;
  /** `outbound` for TrainU → GHL work; absent means inbound. */
  readonly direction?: 'inbound' | 'outbound';
  /** The inbox key of the change, kept on retries, dead letters and replays. */
  readonly idempotencyKey?: string;
  /** 1 for the first run, 2 for the first retry…; absent means 1. */
  readonly attempt?: number;
  /** The job that started this chain of retries. */
  readonly rootJobId?: string;
  /** When the first attempt of the chain failed (ISO). */
  readonly firstFailedAt?: string;
}

/** The job of `sync.outbound-contacts`: the contact whose pending outbox rows to push (correlation id `outbox:<row id>`). */
export interface OutboundContactJob extends SyncJobData {
  readonly contactId: string;
}

export interface QueueDefinition {
  readonly name: QueueName;
  readonly options: Omit<Queue, 'name'>;
  readonly worker: WorkOptions;
  /** Cron on which pg-boss enqueues a job (once per cluster, whatever the number of workers). */
  readonly schedule?: string;
  /**
   * Failures follow SYNC_RETRY_DELAYS exactly and end in sync_dead_letters (QueueService). pg-boss's
   * own retry (once) then only recovers an attempt whose worker died before settling it.
   */
  readonly retrySchedule: boolean;
  /**
   * The pg-boss singletonKey of a job of this queue, given wherever a job is sent or sent again
   * (first send, retries, dead-letter replays), so a policy per key holds across them.
   */
  readonly singletonKeyOf?: (data: SyncJobData) => string;
}

/** Inbox jobs one fetch claims; a batch's jobs run one after another (ADR 0015). */
const INBOUND_BATCH_SIZE = 16;

/**
 * How long a new outbound job waits before it may run: edits to one contact within it (a form
 * saved field by field) find the job still queued and join it (`stately`, below), so they make one push.
 */
export const OUTBOUND_START_DELAY_SECONDS = 1;

/** An hourly housekeeping job: a failed run is retried by pg-boss three times, 5 min apart. */
const HOURLY_MAINTENANCE = {
  options: { retryLimit: 3, retryDelay: 300, expireInSeconds: 900, deleteAfterSeconds: 7 * 86_400 },
  worker: { pollingIntervalSeconds: 30, batchSize: 1 },
  retrySchedule: false,
} satisfies Omit<QueueDefinition, 'name'>;

/**
 * Queue options. Sync queues retry on the exact SYNC_RETRY_DELAYS schedule, driven by QueueService;
 * pg-boss retries such a job itself only when its worker died mid-attempt (no heartbeat for 30 s).
 */
export function queueDefinitions(
  retryDelaysSeconds: readonly number[],
  { backfill, outbound }: { backfill: boolean; outbound: boolean },
): QueueDefinition[] {
  return [
    {
      name: QUEUES.inboundEvents,
      options: {
        retryLimit: 1,
        retryDelay: retryDelaysSeconds[0] ?? 60,
        heartbeatSeconds: 30,
        expireInSeconds: 300,
        deleteAfterSeconds: 7 * 86_400,
      },
      // While fetches come back full there is more work: fetch again at once (burst) instead of
      // waiting out the polling interval after each batch, which capped a process at 8 events/s.
      worker: {
        pollingIntervalSeconds: 0.5,
        batchSize: INBOUND_BATCH_SIZE,
        burstWhenBatchFull: true,
        localConcurrency: 4,
      },
      retrySchedule: true,
    },
    { name: QUEUES.inboxRetention, schedule: '17 * * * *', ...HOURLY_MAINTENANCE },
    { name: QUEUES.outboundRetention, schedule: '47 * * * *', ...HOURLY_MAINTENANCE },
    // Only where GHL is configured. A failed run is retried once after 10 minutes, from its
    // checkpoints; a worker that died mid-run stops heartbeating and another takes the job over.
    ...(backfill
      ? [
          {
            name: QUEUES.backfill,
            options: {
              retryLimit: 1,
              retryDelay: 600,
              heartbeatSeconds: 60,
              expireInSeconds: 6 * 3600,
              deleteAfterSeconds: 30 * 86_400,
            },
            worker: { pollingIntervalSeconds: 5, batchSize: 1 },
            retrySchedule: false,
          },
        ]
      : []),
    // Only where OUTBOUND_MODE is not off. `stately` with the contact as singletonKey: at most one
    // job per contact queued (a send while one waits is dropped: the waiting job reads the
    // contact's pending rows when it runs) and one active, so a contact's pushes run one at a time
    // and in order, while other contacts run beside it.
    ...(outbound
      ? [
          {
            name: QUEUES.outboundContacts,
            options: {
              policy: 'stately',
              retryLimit: 1,
              retryDelay: retryDelaysSeconds[0] ?? 60,
              heartbeatSeconds: 30,
              expireInSeconds: 300,
              deleteAfterSeconds: 7 * 86_400,
            },
            // Four jobs a fetch, and while fetches come back full the next one goes at once (ADR 0015):
            // a bulk import is paced by GHL's budget, not by the 0.5 s poll (one job a fetch capped a
            // process at 8 pushes/s). A fetch's jobs run one after another, four fetches at a time.
            worker: { pollingIntervalSeconds: 0.5, batchSize: 4, localConcurrency: 4, burstWhenBatchFull: true },
            retrySchedule: true,
            singletonKeyOf: (data: SyncJobData) => (data as OutboundContactJob).contactId,
          } satisfies QueueDefinition,
        ]
      : []),
  ];
}
