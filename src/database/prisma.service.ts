import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { AppConfig } from '../config/app-config.js';
import { PrismaClient, type Prisma } from '../generated/prisma/client.js';

/** The one Prisma client of the process, on node-postgres through Prisma's driver adapter. */
@Injectable()
export class PrismaService
  extends PrismaClient<{ adapter: PrismaPg; log: [{ emit: 'event'; level: 'query' }] }>
  implements OnModuleInit, OnApplicationShutdown
{
  /** SQL statements sent since start: how tests prove a GraphQL page costs a bounded number of queries. */
  queryCount = 0;

  constructor(config: AppConfig) {
    if (!config.databaseUrl)
      throw new Error('PrismaService needs a database URL (bootstrap resolves one before Nest starts)');
    super({
      adapter: new PrismaPg({
        connectionString: config.databaseUrl,
        application_name: 'trainu-ghl-sync',
        connectionTimeoutMillis: 5_000,
      }),
      log: [{ emit: 'event', level: 'query' }] as [{ emit: 'event'; level: 'query' }],
    });
    this.$on('query', () => {
      this.queryCount += 1;
    });
  }

  async onModuleInit(): Promise<void> {
    await this.$connect();
  }

  /** The last shutdown step, after queue workers (stopped in onModuleDestroy) have finished with the database. */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}

/** A Prisma interactive-transaction client, accepted by repositories that can join a caller's transaction. */
export type PrismaTransaction = Prisma.TransactionClient;
