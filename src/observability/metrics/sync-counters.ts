import { Global, Injectable, Module } from '@nestjs/common';
import { Counter } from 'prom-client';

/**
 * Counters the sync's domain code increments (echoes, outbound writes), outside MetricsService so
 * that code needs no HTTP or queue dependency; MetricsService serves them in its registry.
 */
@Injectable()
export class SyncCounters {
  readonly echoesSuppressed = new Counter({
    name: 'sync_echo_suppressed_total',
    help: 'GHL webhooks that were the echo of our own outbound write: every written field came back as written; nothing applied.',
    registers: [],
  });

  readonly echoNearMisses = new Counter({
    name: 'sync_echo_near_miss_total',
    help: 'GHL webhooks after our outbound write where some written field came back otherwise (a workflow?); only those fields applied.',
    registers: [],
  });

  readonly outboundWrites = new Counter({
    name: 'sync_outbound_writes_total',
    help: 'Writes the outbound push sent to GHL, by action (create, link, update, tags_add, tags_remove) and result (ok, failed).',
    labelNames: ['action', 'result'] as const,
    registers: [],
  });

  readonly conflicts = new Counter({
    name: 'sync_conflicts_total',
    help: 'Fields changed on both sides to different values, by the side that won.',
    labelNames: ['winner'] as const,
    registers: [],
  });

  all(): Counter[] {
    return [this.echoesSuppressed, this.echoNearMisses, this.outboundWrites, this.conflicts];
  }
}

@Global()
@Module({ providers: [SyncCounters], exports: [SyncCounters] })
export class SyncCountersModule {}
