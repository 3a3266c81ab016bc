import type { Queue, WorkOptions } from 'pg-boss';

/** pg-boss keeps its tables in a schema of its own, beside the service's. */
export const PGBOSS_SCHEMA = 'pgboss';

/** Every queue the service uses. A queue without a processor stops the boot (QueueService). */
export const QUEUES = {
  /** Process one inbox row (`sync_events`): route it by event type to its domain handler. */
  inboundEvents: 'sync.inbound-events',
  /** Drop raw webhook bodies from processed inbox rows older than INBOX_RETENTION_DAYS. */
  inboxRetention: 'maintenance.inbox-retention',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** What every job carries, so logs of a job and its retries share the webhook's correlation id. */
export interface SyncJobData {
  readonly correlationId: string;
}

export interface QueueDefinition {
  readonly name: QueueName;
  readonly options: Omit<Queue, 'name'>;
  readonly worker: WorkOptions;
  /** Cron on which pg-boss enqueues a job (once per cluster, whatever the number of workers). */
  readonly schedule?: string;
}

/**
 * Queue options. The retry delays come from SYNC_RETRY_DELAYS; until the exact retry schedule
 * lands (issue 5), pg-boss's exponential backoff between the first and the last delay stands in.
 */
export function queueDefinitions(retryDelaysSeconds: readonly number[]): QueueDefinition[] {
  const retries = {
    retryLimit: retryDelaysSeconds.length,
    retryDelay: retryDelaysSeconds[0] ?? 60,
    retryBackoff: true,
    retryDelayMax: Math.max(...retryDelaysSeconds),
  };
  return [
    {
      name: QUEUES.inboundEvents,
      options: { ...retries, expireInSeconds: 300, deleteAfterSeconds: 7 * 86_400 },
      worker: { pollingIntervalSeconds: 0.5, batchSize: 1, localConcurrency: 4 },
    },
    {
      name: QUEUES.inboxRetention,
      options: { retryLimit: 3, retryDelay: 300, expireInSeconds: 900, deleteAfterSeconds: 7 * 86_400 },
      worker: { pollingIntervalSeconds: 30, batchSize: 1 },
      schedule: '17 * * * *',
    },
  ];
}
