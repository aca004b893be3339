import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Server } from 'node:net';

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
  let inFlight = 0;
  let lastActivity = Date.now();
  let draining = false;
  fastify.addHook('onRequest', (_request, _reply, done) => {
    inFlight++;
    lastActivity = Date.now();
    done();
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) {
      void reply.header('connection', 'close');
    }
    done(null, payload);
  });
  fastify.addHook('onResponse', (_request, _reply, done) => {
    inFlight--;
    lastActivity = Date.now();
    done();
  });

  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (draining) {
      return;
    }
    draining = true;
    const started = Date.now();
    logger.log(`${signal}: draining ${inFlight} request(s)`);
    // Keep accepting until the traffic already on its way has arrived and been answered (closing the listener
    // earlier resets connections still in its backlog), then stop listening and close the idle keep-alive
    // sockets. Every answer meanwhile carries `Connection: close`, so clients move to another replica.
    while (Date.now() - started < deadlineMs && (inFlight > 0 || Date.now() - lastActivity < QUIET_MS)) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    // net.Server#close: http.Server#close would also reap sockets that look idle but hold an unread request.
    Server.prototype.close.call(server);
    server.closeIdleConnections();
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
