import { Global, Module } from '@nestjs/common';
import { SyncAnalytics } from './sync-analytics.service.js';

@Global()
@Module({ providers: [SyncAnalytics], exports: [SyncAnalytics] })
export class AnalyticsModule {}
