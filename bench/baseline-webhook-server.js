// The floor the webhook endpoint is measured against: bare node:http + pg doing the durable work per
// delivery (check the Ed25519 signature over the raw body, parse, check the timestamp, insert the
// inbox row), with no framework, validation library, logging or metrics. With BASELINE_WITH_JOB=1 it
// also enqueues the row's pg-boss job in the same transaction (what the intake did before ADR 0017).
// Run by bench/webhooks.bench.js; env DATABASE_URL, PUBLIC_KEY, BASELINE_WITH_JOB.
import { createPublicKey, verify } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
import { PgBoss } from 'pg-boss';

const QUEUE = 'sync.inbound-events';
const WITH_JOB = process.env.BASELINE_WITH_JOB === '1';
const publicKey = createPublicKey(process.env.PUBLIC_KEY);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const boss = WITH_JOB
  ? new PgBoss({
      connectionString: process.env.DATABASE_URL,
      schema: 'pgboss',
      supervise: false,
      schedule: false,
      max: 2,
    })
  : undefined;
await boss?.start();

const INSERT = `INSERT INTO ghl_sync.sync_events (idempotency_key, type, location_id, object_id, correlation_id, payload)
  VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`;

async function accept(raw, signature) {
  if (!signature || !verify(null, raw, publicKey, Buffer.from(signature, 'base64'))) return [401, 'bad signature'];
  const body = JSON.parse(raw.toString('utf8'));
  if (Math.abs(Date.now() - Date.parse(body.timestamp)) > 300_000) return [401, 'stale'];
  const values = [`webhook:${body.webhookId}`, body.type, body.locationId, body.id, 'bench', raw.toString('utf8')];
  if (!boss) {
    // One statement, one implicit transaction: committed when the query returns.
    const { rows } = await pool.query(INSERT, values);
    return [200, rows[0] ? 'accepted' : 'duplicate'];
  }
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query(INSERT, values);
    if (rows[0]) {
      const db = { executeSql: (text, values) => client.query(text, values) };
      await boss.send(QUEUE, { eventId: rows[0].id, correlationId: 'bench' }, { db });
    }
    await client.query('COMMIT');
    return [200, rows[0] ? 'accepted' : 'duplicate'];
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

const server = http.createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    accept(Buffer.concat(chunks), request.headers['x-ghl-signature']).then(
      ([status, outcome]) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ outcome }));
      },
      () => {
        response.writeHead(429);
        response.end();
      },
    );
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ msg: 'service is listening', url: `http://127.0.0.1:${server.address().port}` }));
});
process.on('SIGTERM', () =>
  server.close(() =>
    Promise.resolve(boss?.stop())
      .then(() => pool.end())
      .then(() => process.exit(0)),
  ),
);
