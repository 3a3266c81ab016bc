import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { progressReporter } from '../backfill/backfill-progress.js';
import { BackfillRunnerModule } from '../backfill/backfill-runner.module.js';
import {
  BACKFILL_OBJECTS,
  BackfillService,
  type BackfillObject,
  type BackfillOutcome,
} from '../backfill/backfill.service.js';
import { defaultDataDir, loadConfigFromEnvironment, migrate, resolveDatabase } from '../bootstrap.js';
import { createRootLogger } from '../observability/logging/root-logger.js';
import { CliModule } from './cli.module.js';
import { runCli } from './run-cli.js';

const USAGE = `npm run backfill -- [--objects ${BACKFILL_OBJECTS.join(',')}] [--since ISO] [--full]

  --objects  which objects (default: all, in this order)
  --since    an incremental run from this time instead of the previous run's start
  --full     list everything and tombstone what GHL no longer has (reconciliation)

An unfinished run of an object resumes from its checkpoint. Needs GHL_LOCATION_ID and
GHL_PRIVATE_INTEGRATION_TOKEN; uses DATABASE_URL, or the embedded database of a running
\`npm start\` in this directory. Exit code 0 when every object finished or was running elsewhere.`;

type Out = (line: string) => void;

async function run(argv: string[], out: Out): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      objects: { type: 'string' },
      since: { type: 'string' },
      full: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    out(USAGE);
    return 0;
  }
  const objects = values.objects?.split(',').map((object) => object.trim());
  const unknown = objects?.filter((object) => !(BACKFILL_OBJECTS as readonly string[]).includes(object)) ?? [];
  const since = values.since === undefined ? undefined : new Date(values.since);
  if (unknown.length > 0 || (since && Number.isNaN(since.getTime())) || (since && values.full)) {
    const problem =
      unknown.length > 0
        ? `unknown object(s): ${unknown.join(', ')}`
        : values.full
          ? '--since and --full exclude each other'
          : `--since is not a date: ${values.since}`;
    out(`${problem}\n\n${USAGE}`);
    return 2;
  }

  const base = loadConfigFromEnvironment().with({ serviceRole: 'api' });
  const logger = createRootLogger(base.logLevel === 'info' ? 'warn' : base.logLevel);
  if (!base.backfillsFromGhl) {
    out('GHL_LOCATION_ID and GHL_PRIVATE_INTEGRATION_TOKEN must be set to backfill from GHL.');
    return 2;
  }
  const { config, embedded } = await resolveDatabase(base, defaultDataDir(), logger, { attach: true });
  if (config.migrateOnStart) await migrate(config, logger);
  const app = await NestFactory.createApplicationContext(CliModule.register(config, logger, [BackfillRunnerModule]), {
    logger: false,
  });
  const progress = progressReporter(process.stderr);
  try {
    const outcomes = await app.get(BackfillService).run({
      objects: objects as BackfillObject[] | undefined,
      full: values.full,
      since,
      onProgress: (update) => progress.update(update),
    });
    progress.stop();
    for (const outcome of outcomes) out(summaryOf(outcome));
    return outcomes.some((outcome) => outcome.status === 'failed') ? 1 : 0;
  } finally {
    progress.stop();
    await app.close();
    await embedded?.stop();
  }
}

function summaryOf(outcome: BackfillOutcome): string {
  switch (outcome.status) {
    case 'busy':
      return `${outcome.object}: running elsewhere, skipped`;
    case 'failed':
      return `${outcome.object}: FAILED (${outcome.error}); the next run resumes from its checkpoint`;
    case 'done':
      return [
        `${outcome.object}: ${outcome.records} records in ${outcome.pages} pages in ${outcome.seconds.toFixed(2)} s`,
        outcome.full ? `full, ${outcome.tombstoned} tombstoned` : 'incremental',
        ...(outcome.resumed ? ['resumed from a checkpoint'] : []),
      ].join(' · ');
  }
}

await runCli(run);
