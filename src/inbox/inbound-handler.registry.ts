import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { InboundEventHandler } from './inbound-event.js';

/** Marks a domain provider that handles some GHL event types (listed on the handler itself). */
export const HandlesInboundEvents = DiscoveryService.createDecorator<void>();

/** Finds the domain handler for each GHL event type; one handler per type. */
@Injectable()
export class InboundHandlerRegistry implements OnModuleInit {
  private readonly handlers = new Map<string, InboundEventHandler>();

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders({ metadataKey: HandlesInboundEvents.KEY })) {
      const handler = wrapper.instance as InboundEventHandler | undefined;
      for (const type of handler?.eventTypes ?? []) {
        if (this.handlers.has(type)) throw new Error(`two inbound handlers for event type ${type}`);
        this.handlers.set(type, handler!);
      }
    }
  }

  handlerFor(type: string): InboundEventHandler | undefined {
    return this.handlers.get(type);
  }

  /** The event types whose handler can apply several events in one transaction. */
  batchableTypes(): string[] {
    return [...this.handlers].filter(([, handler]) => handler.handleBatch !== undefined).map(([type]) => type);
  }
}
