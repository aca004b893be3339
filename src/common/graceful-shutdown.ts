import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Server, Socket } from 'node:net';

const QUIET_MS = 250;
const POLL_MS = 50;

/**
 * SIGTERM/SIGINT: let every request already sent finish (answered with `Connection: close`), stop accepting
 * connections and close keep-alive sockets once nothing has been in flight for a moment, then close the app (database last)
 * and exit 0 — all within `deadlineMs`.
 *
 * Why not Nest's enableShutdownHooks: Fastify's close reaps "idle" sockets at once, and a socket whose request
 * is still unread in the kernel buffer counts as idle, so requests already sent were reset (ECONNRESET); sockets
 * busy at that moment were then left open until the 72 s keep-alive timeout, past any orchestrator's grace period.
 */
export function installGracefulShutdown(app: NestFastifyApplication, deadlineMs = 8_000): void {
  const logger = new Logger('Shutdown');
  const fastify = app.getHttpAdapter().getInstance();
  const server = app.getHttpServer();
  let lastActivity = Date.now();
  let draining = false;
  // Open connections, each with the number of its requests not yet answered. Node's closeIdleConnections misses two
  // kinds, which then held the server open until their clients dropped them: connections that never sent a request
  // (clients open them ahead), and connections whose request was abandoned by its client.
  const connections = new Map<Socket, number>();
  server.on('connection', (socket: Socket) => {
    connections.set(socket, 0);
    socket.once('close', () => connections.delete(socket));
  });
  const count = (socket: Socket, delta: number): void => {
    const open = connections.get(socket);
    if (open !== undefined) {
      connections.set(socket, open + delta);
    }
  };
  const inFlight = (): number => [...connections.values()].reduce((sum, open) => sum + open, 0);
  // A request is counted off when its response is sent (onResponse) or its connection closes: Fastify sends no
  // onResponse for a request whose client went away, and the connection's count goes with the connection. Not a
  // `close` listener on each response: with one, V8 kept every request's objects past two scavenges in about half of
  // the runs of a fresh service (2-3 ms scavenges, a mark-compact every 250 ms, 2-3 times the p99; see
  // docs/performance.md).
  fastify.addHook('onRequest', (request, _reply, done) => {
    count(request.raw.socket, 1);
    lastActivity = Date.now();
    done();
  });
  fastify.addHook('onResponse', (request, _reply, done) => {
    count(request.raw.socket, -1);
    lastActivity = Date.now();
    done();
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) {
      void reply.header('connection', 'close');
    }
    done(null, payload);
  });

  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (draining) {
      return;
    }
    draining = true;
    const started = Date.now();
    logger.log(`${signal}: draining ${inFlight()} request(s)`);
    // Keep accepting until the traffic already on its way has arrived and been answered (closing the listener
    // earlier resets connections still in its backlog), then stop listening and close every connection without an
    // open request. Every answer meanwhile carries `Connection: close`, so clients move to another replica.
    while (Date.now() - started < deadlineMs && (inFlight() > 0 || Date.now() - lastActivity < QUIET_MS)) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    // net.Server#close: http.Server#close would also reap sockets that look idle but hold an unread request.
    Server.prototype.close.call(server);
    for (const [socket, open] of connections) {
      if (open === 0) {
        socket.destroy();
      }
    }
    try {
      await app.close();
      logger.log(`stopped in ${Date.now() - started} ms`);
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'Shutdown failed');
      process.exit(1);
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, (s: NodeJS.Signals) => void shutdown(s));
  }
}
