import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DeadLettersRepository } from '../../dlq/dead-letters.repository.js';
import { QueueService } from '../../queue/queue.service.js';

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

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    queue: QueueService,
    deadLetters: DeadLettersRepository,
  ) {
    collectDefaultMetrics({ register: this.registry });
    const logger = this.logger;
    new Gauge({
      name: 'sync_queue_depth',
      help: 'Jobs waiting to run across the sync queues, including scheduled retries.',
      registers: [this.registry],
      async collect() {
        await queue.depth().then(
          (depth) => this.set(depth),
          (error: unknown) => logger.warn({ err: error }, 'could not read the queue depth'),
        );
      },
    });
    new Gauge({
      name: 'sync_dead_letters_open',
      help: 'Dead letters neither replayed nor discarded.',
      registers: [this.registry],
      async collect() {
        await deadLetters.countOpen().then(
          (open) => this.set(open),
          (error: unknown) => logger.warn({ err: error }, 'could not count open dead letters'),
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
