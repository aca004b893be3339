import { LogController } from 'fastify';
import pino, { Logger } from 'pino';
import { appConfig } from '../../config/app.config';

let root: Logger | undefined;

/**
 * The process's one pino logger. Fastify gives each request a child of it (with the request id) and logs each
 * request with it; Nest's `Logger` writes through it too (nestjs-pino).
 * Credentials never reach a log: bodies are not logged and the headers that carry secrets are redacted.
 */
export function rootLogger(): Logger {
  root ??= pino({
    level: appConfig().logLevel,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
  });
  return root;
}

/** Request log lines name the request id `requestId`, like the problem+json body and `X-Request-Id`. */
export const logController = new LogController({ requestIdLogLabel: 'requestId' });
