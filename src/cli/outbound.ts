import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { Presets, SingleBar } from 'cli-progress';
import { defaultDataDir, loadConfigFromEnvironment, migrate, resolveDatabase } from '../bootstrap.js';
import { createRootLogger } from '../observability/logging/root-logger.js';
import { describePlan, describeSummary } from '../outbound/preview/plan-text.js';
import { OutboundPreviewService } from '../outbound/preview/outbound-preview.service.js';
import { CliModule } from './cli.module.js';
import { runCli } from './run-cli.js';

const USAGE = `npm run outbound -- preview [--contact <id>] [--all] [--json]

  preview --contact <id>  the plan the outbound worker would carry out now for this contact
  preview --all           every contact with pending TrainU changes, summed up: actions, the GHL
                          requests they cost and the location's daily budget left (the default)
  --json                  the plan or the summary as JSON

Writes nothing, to GHL or to TrainU; reads GHL as the worker would (the lookup of an unlinked
contact, the GET of a linked one). Needs GHL_LOCATION_ID and GHL_PRIVATE_INTEGRATION_TOKEN, and the
service's SYNC_FIELD_RULES and OUTBOUND_DELETES; uses DATABASE_URL, or the embedded database of a
running \`npm start\` in this directory.`;

type Out = (line: string) => void;

async function run(argv: string[], out: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      contact: { type: 'string' },
      all: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    out(USAGE);
    return 0;
  }
  const problem =
    positionals.length !== 1 || positionals[0] !== 'preview'
      ? `unknown command: ${positionals.join(' ') || '(none)'}`
      : values.contact && values.all
        ? '--contact and --all exclude each other'
        : values.contact !== undefined && !/^[0-9a-f-]{36}$/i.test(values.contact)
          ? `--contact is not a contact id (a UUID): ${values.contact}`
          : undefined;
  if (problem) {
    out(`${problem}\n\n${USAGE}`);
    return 2;
  }

  const base = loadConfigFromEnvironment().with({ serviceRole: 'api' });
  if (!base.syncsOutbound) {
    out('The preview needs GHL_LOCATION_ID and GHL_PRIVATE_INTEGRATION_TOKEN, and OUTBOUND_MODE push or shadow.');
    return 2;
  }
  const logger = createRootLogger(base.logLevel === 'info' ? 'warn' : base.logLevel);
  const { config, embedded } = await resolveDatabase(base, defaultDataDir(), logger, { attach: true });
  if (config.migrateOnStart) await migrate(config, logger);
  const app = await NestFactory.createApplicationContext(CliModule.register(config, logger, []), { logger: false });
  try {
    const previews = app.get(OutboundPreviewService);
    if (values.contact) {
      const plan = await previews.preview(values.contact);
      out(values.json ? JSON.stringify(plan, null, 2) : describePlan(plan));
      return 0;
    }
    const bar = process.stderr.isTTY ? progressBar() : undefined;
    const summary = await previews.previewAll((_plan, done, total) => {
      if (done === 1) bar?.start(total, 0);
      bar?.setTotal(total);
      bar?.update(done);
    });
    bar?.stop();
    out(values.json ? JSON.stringify(summary, null, 2) : describeSummary(summary));
    return 0;
  } finally {
    await app.close();
    await embedded?.stop();
  }
}

function progressBar(): SingleBar {
  return new SingleBar(
    {
      stream: process.stderr,
      format: 'planning |{bar}| {value}/{total} contacts · ETA {eta_formatted}',
      hideCursor: true,
    },
    Presets.shades_classic,
  );
}

await runCli(run);
