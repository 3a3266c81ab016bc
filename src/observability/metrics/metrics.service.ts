import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DeadLettersRepository } from '../../dlq/dead-letters.repository.js';
import { InboxRepository } from '../../inbox/inbox.repository.js';
import { ContactOutboxRepository } from '../../outbound/contact-outbox.repository.js';
import { QueueService } from '../../queue/queue.service.js';
import { SyncCounters } from './sync-counters.js';

/**
 * Prometheus metrics of this process, in a registry of its own (several apps can live in one test
 * process). HTTP traffic is counted from a Fastify hook, so 404s and body errors count too.
 */
@Injectable()
export class MetricsService implements OnModuleInit {
  private readonly logger = new Logger(MetricsService.name);
  readonly registry = new Registry();

  private readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  private readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from request to response, by method and route pattern.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  private readonly deliveriesWithoutTimestamp = new Counter({
    name: 'webhook_deliveries_without_timestamp_total',
    help: 'GHL webhook deliveries answered 200 without a timestamp (no replay window; ordered by dateUpdated or receipt), by event type.',
    labelNames: ['event_type'] as const,
    registers: [this.registry],
  });

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    queue: QueueService,
    deadLetters: DeadLettersRepository,
    inbox: InboxRepository,
    counters: SyncCounters,
    outbox: ContactOutboxRepository,
  ) {
    collectDefaultMetrics({ register: this.registry });
    for (const counter of counters.all()) this.registry.registerMetric(counter);
    this.gaugeReadAtScrape(
      'sync_queue_depth',
      'Work waiting to run: jobs across the sync queues (including scheduled retries) plus inbox rows not yet relayed to the queue.',
      async () => {
        const [jobs, awaitingRelay] = await Promise.all([queue.depth(), inbox.countAwaitingRelay()]);
        return jobs + awaitingRelay;
      },
    );
    this.gaugeReadAtScrape(
      'sync_inbox_awaiting_relay',
      'Inbox rows stored by the intake whose processing job the relay has not enqueued yet (ADR 0017).',
      () => inbox.countAwaitingRelay(),
    );
    this.gaugeReadAtScrape(
      'sync_outbox_pending',
      'TrainU-side contact changes in the outbox that the outbound push has not finished (ADR 0019).',
      () => outbox.countPending(),
    );
    this.gaugeReadAtScrape('sync_dead_letters_open', 'Dead letters neither replayed nor discarded.', () =>
      deadLetters.countOpen(),
    );
  }

  /** A webhook delivery without `timestamp` was stored, or found to be a duplicate (ADR 0006). */
  deliveryWithoutTimestamp(eventType: string): void {
    this.deliveriesWithoutTimestamp.inc({ event_type: eventType });
  }

  /** A gauge whose value is read when Prometheus scrapes; a failed read keeps the last value and is logged. */
  private gaugeReadAtScrape(name: string, help: string, read: () => Promise<number>): void {
    const logger = this.logger;
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        await read().then(
          (value) => this.set(value),
          (error: unknown) => logger.warn({ err: error, metric: name }, 'could not read a gauge at scrape'),
        );
      },
    });
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      this.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
      this.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    });
  }
}
