import { Module } from '@nestjs/common';
import { DeadLettersResolver } from './dead-letters.resolver.js';
import { DeadLettersService } from './dead-letters.service.js';
import { DlqModule } from './dlq.module.js';

/** Operating dead letters: replay and discard, from GraphQL and the `npm run dlq` CLI. */
@Module({
  imports: [DlqModule],
  providers: [DeadLettersService, DeadLettersResolver],
  exports: [DeadLettersService],
})
export class DlqAdminModule {}
