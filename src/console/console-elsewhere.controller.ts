import { Controller, Get, NotFoundException } from '@nestjs/common';

/**
 * GET /console on an instance that serves no API (SERVICE_ROLE=worker): the console reads only the
 * GraphQL API, which is not here, so the answer says where it is rather than Fastify's bare 404.
 */
@Controller('console')
export class ConsoleElsewhereController {
  @Get()
  page(): never {
    throw new NotFoundException(
      'this instance is a worker (SERVICE_ROLE=worker) and serves no API: open /console on an instance with SERVICE_ROLE api or all',
    );
  }
}
