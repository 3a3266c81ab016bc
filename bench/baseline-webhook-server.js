// The floor the webhook endpoint is measured against: bare node:http + pg doing the same work per
// delivery (check the Ed25519 signature over the raw body, parse, check the timestamp, then in one
// transaction insert the inbox row and enqueue its pg-boss job), with no framework, validation
// library, logging or metrics. Run by bench/webhooks.bench.js; env DATABASE_URL, PUBLIC_KEY.
import { createPublicKey, verify } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
import { PgBoss } from 'pg-boss';

const QUEUE = 'sync.inbound-events';
const publicKey = createPublicKey(process.env.PUBLIC_KEY);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const boss = new PgBoss({
  connectionString: process.env.DATABASE_URL,
  schema: 'pgboss',
  supervise: false,
  schedule: false,
  max: 2,
});
await boss.start();

const INSERT = `INSERT INTO ghl_sync.sync_events (idempotency_key, type, location_id, object_id, correlation_id, payload)
  VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`;

async function accept(raw, signature) {
  if (!signature || !verify(null, raw, publicKey, Buffer.from(signature, 'base64'))) return [401, 'bad signature'];
  const body = JSON.parse(raw.toString('utf8'));
  if (Math.abs(Date.now() - Date.parse(body.timestamp)) > 300_000) return [401, 'stale'];
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query(INSERT, [
      `webhook:${body.webhookId}`,
      body.type,
      body.locationId,
      body.id,
      'bench',
      raw.toString('utf8'),
    ]);
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
    boss
      .stop()
      .then(() => pool.end())
      .then(() => process.exit(0)),
  ),
);
