import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ConsoleAssets } from './console-assets.js';

/**
 * GET /console and its files (ADR 0025). The page and the code carry no data: everything the
 * console shows comes from the GraphQL API, with the key the operator enters.
 */
@Controller('console')
export class ConsoleController {
  constructor(private readonly assets: ConsoleAssets) {}

  @Get()
  page(@Res() reply: FastifyReply): void {
    this.send(reply, this.assets.page, 'text/html; charset=utf-8');
  }

  @Get('vendor/:name')
  vendor(@Param('name') name: string, @Res() reply: FastifyReply): void {
    this.file(`vendor/${name}`, reply);
  }

  @Get(':name')
  asset(@Param('name') name: string, @Res() reply: FastifyReply): void {
    this.file(name, reply);
  }

  private file(name: string, reply: FastifyReply): void {
    const asset = this.assets.get(name);
    if (!asset) throw new NotFoundException(`no console file ${name}`);
    this.send(reply, asset.body, asset.contentType);
  }

  private send(reply: FastifyReply, body: Buffer, contentType: string): void {
    void reply
      .header('content-type', contentType)
      .header('content-security-policy', this.assets.contentSecurityPolicy)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-cache')
      .send(body);
  }
}
