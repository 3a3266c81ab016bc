import { Module } from '@nestjs/common';
import { GhlClient } from './ghl-client.js';
import { RateLimitGovernor } from './rate-limit-governor.js';

/**
 * HighLevel's REST API for the configured location, with the rate-limit governor every request
 * waits for. Import it only where GHL_LOCATION_ID and GHL_PRIVATE_INTEGRATION_TOKEN are set.
 */
@Module({ providers: [RateLimitGovernor, GhlClient], exports: [RateLimitGovernor, GhlClient] })
export class GhlModule {}
