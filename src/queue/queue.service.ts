import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { PinoLogger } from 'nestjs-pino';
import { PgBoss, fromPrisma, type Job, type JobInsert, type SendOptions } from 'pg-boss';
import { errorSummary } from '../common/error-summary.js';
import { AppConfig } from '../config/app-config.js';
import { DatabaseAvailability } from '../database/database-availability.js';
import { PrismaService, type PrismaTransaction, type SqlClient } from '../database/prisma.service.js';
import { DeadLettersRepository } from '../dlq/dead-letters.repository.js';
import { SyncAnalytics } from '../observability/analytics/sync-analytics.service.js';
import { JobFailures } from './job-failures.js';
import { CORRELATION_LOG_KEY } from '../observability/logging/correlation-id.js';
import { RepeatedErrorLog } from '../observability/logging/repeated-error-log.js';
import { QueueProcessor, type JobProcessor } from './queue-processor.decorator.js';
import {
  PGBOSS_SCHEMA,
  queueDefinitions,
  type QueueDefinition,
  type QueueName,
  type SyncJobData,
} from './queue.constants.js';

/**
 * pg-boss, started and stopped with the application. Every role can enqueue; only `all` and
 * `worker` run processors and pg-boss maintenance. The boot fails when a queue has no processor.
 */
@Injectable()
export class QueueService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(QueueService.name);
  private readonly boss: PgBoss;
  private readonly definitions: QueueDefinition[];
  private readonly failures: JobFailures;
  private processors = new Map<QueueName, JobProcessor>();
  private started = false;

  constructor(
    private readonly config: AppConfig,
    private readonly discovery: DiscoveryService,
    private readonly pinoLogger: PinoLogger,
    private readonly database: DatabaseAvailability,
    prisma: PrismaService,
    deadLetters: DeadLettersRepository,
    analytics: SyncAnalytics,
  ) {
    this.definitions = queueDefinitions(config.sync.retryDelaysSeconds, {
      backfill: config.backfillsFromGhl,
      outbound: config.syncsOutbound,
    });
    this.boss = new PgBoss({
      connectionString: config.databaseUrl,
      schema: PGBOSS_SCHEMA,
      application_name: 'trainu-ghl-sync:queue',
      max: 5,
      supervise: config.runsWorkers,
      schedule: config.runsWorkers,
    });
    const bossErrors = new RepeatedErrorLog(this.logger, 'pg-boss error');
    this.boss.on('error', (error) => bossErrors.report(error));
    this.failures = new JobFailures(this.boss, prisma, deadLetters, analytics, config.sync.retryDelaysSeconds);
  }

  async onModuleInit(): Promise<void> {
    await this.boss.start();
    this.started = true;
    for (const { name, options } of this.definitions) {
      await this.boss.createQueue(name, options);
      await this.boss.updateQueue(name, updatableOptionsOf(options));
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    this.processors = this.findProcessors();
    if (!this.config.runsWorkers) return;
    for (const definition of this.definitions) {
      await this.boss.work<SyncJobData>(definition.name, definition.worker, (jobs) => this.runJobs(definition, jobs));
      if (definition.schedule) {
        const data: SyncJobData = { correlationId: `schedule:${definition.name}` };
        await this.boss.schedule(definition.name, definition.schedule, data);
      }
    }
    this.logger.log({ queues: this.definitions.map((definition) => definition.name) }, 'queue workers started');
  }

  async onModuleDestroy(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    // Jobs paused for an outage give up first, so a graceful stop does not wait for the database.
    this.database.stop();
    await this.boss.stop({ graceful: true, timeout: 10_000 });
  }

  /**
   * Enqueues a job. With `transaction` (a Prisma transaction, or a node-postgres client inside a
   * transaction), the job is written by the caller's transaction, so it exists if and only if the
   * caller's writes commit (inbox insert + enqueue, for instance).
   */
  async send<TData extends SyncJobData>(
    name: QueueName,
    data: TData,
    options: SendOptions & { transaction?: PrismaTransaction | SqlClient } = {},
  ): Promise<string | null> {
    const { transaction, ...given } = options;
    const sendOptions = { ...given, ...this.singletonOf(name, data) };
    if (!transaction) return this.boss.send(name, data, sendOptions);
    return this.boss.send(name, data, { ...sendOptions, db: asPgBossDatabase(transaction) });
  }

  /**
   * Enqueues many jobs in one statement (pg-boss's batch insert), written by the caller's
   * transaction: they exist if and only if the caller's writes commit. A job whose id is already
   * taken is skipped.
   */
  async insert<TData extends SyncJobData>(
    name: QueueName,
    jobs: readonly JobInsert<TData>[],
    { transaction }: { transaction: PrismaTransaction | SqlClient },
  ): Promise<void> {
    const keyed = jobs.map((job) => ({ ...job, ...this.singletonOf(name, job.data) }));
    await this.boss.insert(name, keyed, { db: asPgBossDatabase(transaction) });
  }

  /** The singletonKey option of a job of `name`, when its queue keys jobs (QueueDefinition.singletonKeyOf). */
  private singletonOf(name: QueueName, data: SyncJobData | undefined): { singletonKey?: string } {
    const keyOf = this.definitions.find((definition) => definition.name === name)?.singletonKeyOf;
    return keyOf && data ? { singletonKey: keyOf(data) } : {};
  }

  /**
   * Wakes as many of this process's workers of `name` as `jobs` new jobs fill fetches, from their
   * polling wait, so jobs just committed (the inbox relay's, ADR 0017) are fetched now rather than
   * up to a polling interval later.
   */
  wakeWorkers(name: QueueName, jobs: number): void {
    const batchSize = this.definitions.find((definition) => definition.name === name)?.worker.batchSize ?? 1;
    const workers = this.boss.getWipData().filter((worker) => worker.name === name);
    for (const worker of workers.slice(0, Math.ceil(jobs / batchSize))) this.boss.notifyWorker(worker.id);
  }

  /**
   * LISTENs on `channel` over a session of pg-boss's own, which reconnects by itself once it has
   * been established (its errors reach pg-boss's folded error log). Rejects when the first
   * connection fails, or when the database adapter cannot listen.
   */
  async listen(
    channel: string,
    onNotification: () => void,
    onReconnect: () => void,
  ): Promise<{ close(): Promise<void> }> {
    const db = this.boss.getDb();
    if (!db.listen) throw new Error('the pg-boss database adapter cannot LISTEN');
    return db.listen(channel, onNotification, onReconnect);
  }

  /**
   * Publishes an event to every queue subscribed to it (pg-boss pub/sub), through the caller's
   * transaction when given, so the event goes out if and only if the change that caused it commits.
   */
  async publish(event: string, data: object, { transaction }: { transaction?: PrismaTransaction | SqlClient } = {}) {
    await this.boss.publish(event, data, transaction ? { db: asPgBossDatabase(transaction) } : {});
  }

  /** The processor of a queue (for its dead-letter hooks). */
  processorFor(queue: string): JobProcessor | undefined {
    return this.processors.get(queue as QueueName);
  }

  /** Jobs waiting to run (created or retrying, including delayed ones) across every queue. */
  async depth(): Promise<number> {
    const stats = await Promise.all(this.definitions.map(({ name }) => this.boss.getQueueStats(name)));
    return stats.flat().reduce((sum, queue) => sum + queue.queuedCount, 0);
  }

  /** Ready when pg-boss is started and its schema answers. */
  async isReady(): Promise<boolean> {
    return this.started && (await this.boss.isInstalled());
  }

  private findProcessors(): Map<QueueName, JobProcessor> {
    const processors = new Map<QueueName, JobProcessor>();
    for (const wrapper of this.discovery.getProviders({ metadataKey: QueueProcessor.KEY })) {
      const queue = this.discovery.getMetadataByDecorator(QueueProcessor, wrapper);
      if (queue && wrapper.instance) {
        if (processors.has(queue)) throw new Error(`queue ${queue} has two processors`);
        processors.set(queue, wrapper.instance as JobProcessor);
      }
    }
    const missing = this.definitions.filter(({ name }) => !processors.has(name)).map(({ name }) => name);
    if (missing.length > 0) throw new Error(`no @QueueProcessor for queue(s): ${missing.join(', ')}`);
    return processors;
  }

  private async runJobs(definition: QueueDefinition, jobs: Job<SyncJobData>[]): Promise<void> {
    const processor = this.processors.get(definition.name)!;
    const alone =
      jobs.length > 1 && processor.processBatch ? await this.runTogether(definition, processor, jobs) : jobs;
    for (const job of alone) {
      // A database outage is nobody's attempt: the job waits it out and runs again (DatabaseAvailability).
      const throughOutages = (work: () => Promise<void>) =>
        this.database.retriedThroughOutages(work, { queue: definition.name, jobId: job.id });
      const run = async () => {
        try {
          await throughOutages(() => processor.process(job));
        } catch (error) {
          if (!definition.retrySchedule) throw error;
          await throughOutages(() => this.failures.settle(definition, processor, job, error));
        }
      };
      await this.pinoLogger.runInContext(run, {
        bindings: { [CORRELATION_LOG_KEY]: job.data.correlationId, queue: definition.name, job_id: job.id },
      });
    }
  }

  /** Runs the jobs as one batch; returns those left to run one by one (all of them if the batch failed). */
  private async runTogether(
    definition: QueueDefinition,
    processor: JobProcessor,
    jobs: Job<SyncJobData>[],
  ): Promise<Job<SyncJobData>[]> {
    const what = { queue: definition.name, jobs: jobs.length };
    try {
      return await this.database.retriedThroughOutages(() => processor.processBatch!(jobs), what);
    } catch (error) {
      this.logger.warn({ ...what, ...errorSummary(error) }, 'the batch failed as a whole; running its jobs one by one');
      return jobs;
    }
  }
}

/** What pg-boss accepts in an update of a queue: the policy is fixed at its creation. */
function updatableOptionsOf({ policy: _fixedAtCreation, ...options }: QueueDefinition['options']) {
  return options;
}

function asPgBossDatabase(transaction: PrismaTransaction | SqlClient) {
  if ('$queryRawUnsafe' in transaction) return fromPrisma(transaction);
  return { executeSql: (text: string, values?: unknown[]) => transaction.query(text, values) };
}
