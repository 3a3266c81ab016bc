import 'reflect-metadata';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { defaultDataDir, loadConfigFromEnvironment, resolveDatabase } from '../bootstrap.js';
import { DeadLetterError } from '../dlq/dead-letter.errors.js';
import { DeadLettersRepository, type DeadLetterQuery, type DeadLetterRow } from '../dlq/dead-letters.repository.js';
import { DeadLettersService } from '../dlq/dead-letters.service.js';
import { DlqAdminModule } from '../dlq/dlq-admin.module.js';
import { readPlaybook } from '../dlq/playbooks.js';
import type { DeadLetterStatus } from '../generated/prisma/enums.js';
import { createRootLogger } from '../observability/logging/root-logger.js';
import { CliModule } from './cli.module.js';
import { runCli } from './run-cli.js';

const USAGE = `npm run dlq -- <command>

  list    [--status OPEN|REPLAYED|DISCARDED] [--queue Q] [--error-class C]
  show    <id>
  replay  <id> | --all [--queue Q] [--error-class C]      (OPEN ones; attempts reset)
  discard <id> | --all [--queue Q] [--error-class C] --reason "why"

Uses DATABASE_URL, or the embedded database of a running \`npm start\` in this directory.`;

type Out = (line: string) => void;

async function run(argv: string[], out: Out): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      status: { type: 'string' },
      queue: { type: 'string' },
      'error-class': { type: 'string' },
      reason: { type: 'string' },
      all: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const [command, id] = positionals;
  if (values.help || !command || !['list', 'show', 'replay', 'discard'].includes(command)) {
    out(USAGE);
    return values.help ? 0 : 2;
  }
  if ((command === 'show' || ((command === 'replay' || command === 'discard') && !values.all)) && !id) {
    out(`${command} needs a dead letter id${command === 'show' ? '' : ' or --all'}.\n\n${USAGE}`);
    return 2;
  }

  const logger = createRootLogger('warn');
  const base = loadConfigFromEnvironment().with({ serviceRole: 'api' });
  const { config, embedded } = await resolveDatabase(base, defaultDataDir(), logger, { attach: true });
  const app = await NestFactory.createApplicationContext(CliModule.register(config, logger, [DlqAdminModule]), {
    logger: false,
  });
  try {
    const repository = app.get(DeadLettersRepository);
    const service = app.get(DeadLettersService);
    const by = `cli:${userInfo().username}`;
    const filters: DeadLetterQuery = {
      status: values.status as DeadLetterStatus | undefined,
      queue: values.queue,
      errorClass: values['error-class'],
    };
    const targets = async (): Promise<string[]> =>
      values.all ? (await allOf(repository, { ...filters, status: 'OPEN' })).map((row) => row.id) : [id!];

    switch (command) {
      case 'list':
        for (const row of await allOf(repository, filters)) out(summaryOf(row));
        return 0;
      case 'show': {
        const row = await repository.findById(id!);
        if (!row) throw new Error(`No dead letter ${id}.`);
        out(JSON.stringify(row, null, 2));
        out(`\n${readPlaybook(row.playbook)}`);
        return 0;
      }
      case 'replay': {
        const ids = await targets();
        for (const target of ids) out(summaryOf(await service.replay(target, by)));
        out(`${ids.length} replayed`);
        return 0;
      }
      default: {
        const ids = await targets();
        for (const target of ids) out(summaryOf(await service.discard(target, values.reason, by)));
        out(`${ids.length} discarded`);
        return 0;
      }
    }
  } finally {
    await app.close();
    await embedded?.stop();
  }
}

async function allOf(repository: DeadLettersRepository, query: DeadLetterQuery): Promise<DeadLetterRow[]> {
  const rows: DeadLetterRow[] = [];
  for (;;) {
    const last = rows.at(-1);
    const page = await repository.findPage(query, 500, last && { createdAt: last.createdAt, id: last.id });
    rows.push(...page);
    if (page.length < 500) return rows;
  }
}

function summaryOf(row: DeadLetterRow): string {
  const reason = row.reason.length > 80 ? `${row.reason.slice(0, 77)}...` : row.reason;
  return [
    row.id,
    row.status,
    row.errorClass,
    `attempts=${row.attempts}`,
    row.lastFailedAt.toISOString(),
    row.queue,
    reason,
  ].join('  ');
}

await runCli(run, (error) => (error instanceof DeadLetterError ? error.code : 'ERROR'));
