// A TCP proxy in front of Postgres that counts the SQL statements its clients send: each simple
// Query message and each Execute of the extended protocol is one. Used by bench/graphql.bench.js
// to report statements per GraphQL request; only a second pair of servers goes through it, so the
// load figures never pay for the extra hop.
import { createConnection, createServer } from 'node:net';

/** Counts statements per application_name (from each connection's startup message). */
export async function startStatementCounter(databaseUrl) {
  const target = new URL(databaseUrl);
  const counts = new Map();
  const sockets = new Set();
  const server = createServer((client) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port || 5432) });
    let buffered = Buffer.alloc(0);
    let application = null;
    client.on('data', (chunk) => {
      upstream.write(chunk);
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        if (application === null) {
          // The startup message: length, protocol, then name/value pairs.
          if (buffered.length < 4 || buffered.length < buffered.readInt32BE(0)) return;
          const length = buffered.readInt32BE(0);
          const fields = buffered.subarray(8, length).toString('utf8').split('\0');
          const index = fields.indexOf('application_name');
          application = index >= 0 ? fields[index + 1] : '';
          buffered = buffered.subarray(length);
          continue;
        }
        if (buffered.length < 5 || buffered.length < 1 + buffered.readInt32BE(1)) return;
        const type = String.fromCharCode(buffered[0]);
        if (type === 'Q' || type === 'E') counts.set(application, (counts.get(application) ?? 0) + 1);
        buffered = buffered.subarray(1 + buffered.readInt32BE(1));
      }
    });
    upstream.on('data', (chunk) => client.write(chunk));
    sockets.add(client).add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(server.address().port);
  return {
    url: url.toString(),
    /** Statements sent so far by connections whose application_name passes `include`. */
    count: (include = () => true) =>
      [...counts].filter(([name]) => include(name)).reduce((sum, [, count]) => sum + count, 0),
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
