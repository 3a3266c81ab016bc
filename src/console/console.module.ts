import { Module } from '@nestjs/common';
import { ConsoleAssets } from './console-assets.js';
import { ConsoleElsewhereController } from './console-elsewhere.controller.js';
import { ConsoleController } from './console.controller.js';

/** The operator console at /console (ADR 0025); loaded in every role that serves the API. */
@Module({
  controllers: [ConsoleController],
  providers: [{ provide: ConsoleAssets, useFactory: () => new ConsoleAssets() }],
})
export class ConsoleModule {}

/** Where no API is served: GET /console says which instances serve it. */
@Module({ controllers: [ConsoleElsewhereController] })
export class ConsoleElsewhereModule {}
