import { Global, Module } from '@nestjs/common';
import { DatabaseAvailability } from './database-availability.js';
import { PrismaService } from './prisma.service.js';
import { ReadPrismaService } from './read-prisma.service.js';

@Global()
@Module({
  providers: [PrismaService, ReadPrismaService, DatabaseAvailability],
  exports: [PrismaService, ReadPrismaService, DatabaseAvailability],
})
export class DatabaseModule {}
