import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { DlqModule } from '../dlq/dlq.module.js';
import { QueueService } from './queue.service.js';

@Global()
@Module({ imports: [DiscoveryModule, DlqModule], providers: [QueueService], exports: [QueueService] })
export class QueueModule {}
