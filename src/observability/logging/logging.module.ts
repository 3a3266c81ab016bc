import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { CORRELATION_LOG_KEY } from './correlation-id.js';
import { requestPath } from './request-path.js';

/**
 * nestjs-pino over the root logger. Fastify gives each request its correlation id as `request.id`
 * (see correlationIdOptions); pino-http takes it from there and binds it to every log line written
 * while the request is handled. Queue workers bind a job's id the same way (PinoLogger.runInContext).
 * A request is logged by its method and path only: never its query string or headers.
 */
@Module({})
export class LoggingModule {
  static forRoot(rootLogger: Logger): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          // nestjs-pino's default route pattern `{/*splat}` gets a leading slash from @fastify/middie
          // 9 and then matches nothing; `*path` means the same and survives the prefixing.
          forRoutes: ['*path'],
          pinoHttp: {
            logger: rootLogger,
            customAttributeKeys: { reqId: CORRELATION_LOG_KEY },
            quietReqLogger: true,
            // A response that never ended ("request aborted": the client left, or a timeout closed the
            // socket) is a warning, not routine traffic.
            customLogLevel: (_request, response, error) =>
              error || response.statusCode >= 500
                ? 'error'
                : response.statusCode >= 400 || !response.writableEnded
                  ? 'warn'
                  : 'info',
            // @fastify/middie moves the path it matched from `url` to `originalUrl`.
            autoLogging: { ignore: (request) => requestPath(originalUrlOf(request)).startsWith('/health') },
            serializers: {
              // pino-http hands this pino's serialized request, whose `url` is the original target.
              req: (request: { method?: string; url?: string }) => ({
                method: request.method,
                path: requestPath(request.url),
              }),
              res: (response: { statusCode?: number }) => ({ statusCode: response.statusCode }),
            },
          },
        }),
      ],
      exports: [LoggerModule],
    };
  }
}

function originalUrlOf(request: { url?: string; originalUrl?: string }): string | undefined {
  return request.originalUrl ?? request.url;
}
