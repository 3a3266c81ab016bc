#!/usr/bin/env node
// `prisma generate` without network access. Prisma's CLI wants a schema-engine binary path up
// front even though generating the client never runs it; where its download host is unreachable,
// point the variable at any executable (this Node binary). Where the engine can be downloaded, or
// PRISMA_SCHEMA_ENGINE_BINARY is already set, nothing changes. See docs/adr/0002.
import { spawnSync } from 'node:child_process';

const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
const result = spawnSync('prisma', ['generate', ...process.argv.slice(2)], { stdio: 'inherit', env, shell: false });
process.exit(result.status ?? 1);
