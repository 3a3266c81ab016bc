import { Module } from '@nestjs/common';
import { DeadLettersRepository } from './dead-letters.repository.js';

@Module({ providers: [DeadLettersRepository], exports: [DeadLettersRepository] })
export class DlqModule {}
