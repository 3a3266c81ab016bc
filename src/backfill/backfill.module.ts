import { Module } from '@nestjs/common';
import { SyncCursorsRepository } from './sync-cursors.repository.js';

@Module({ providers: [SyncCursorsRepository], exports: [SyncCursorsRepository] })
export class BackfillModule {}
