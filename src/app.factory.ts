import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { refuseGraphqlInUrls } from './graphql/graphql-get-refusal.js';
import { httpServerTimeouts } from './http/server-timeouts.js';
import { CORRELATION_HEADER, correlationIdOptions } from './observability/logging/correlation-id.js';

/** Largest request body accepted anywhere (GHL webhooks are a few KiB); larger ones get 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Builds the Nest application for a configuration whose database URL is already resolved. */
export async function createApp(config: AppConfig, rootLogger: Logger): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(config, rootLogger),
    new FastifyAdapter({ bodyLimit: MAX_BODY_BYTES, ...correlationIdOptions, ...httpServerTimeouts(config.http) }),
    { bufferLogs: true, rawBody: true },
  );
  app.useLogger(app.get(PinoNestLogger));
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header(CORRELATION_HEADER, request.id);
  });
  refuseGraphqlInUrls(fastify);
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  return app;
}
