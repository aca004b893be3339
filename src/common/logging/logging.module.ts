import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { rootLogger } from './root-logger';

/**
 * JSON logs through the one pino logger. Fastify owns the per-request logger, a child with the request id, and
 * writes each request's line with it; Nest's `Logger` writes through the root logger (`forRoutes: []`: no
 * middleware). nestjs-pino's request middleware would hand Nest's `Logger` the request's child through an
 * AsyncLocalStorage, at a third of an authenticated request's CPU; the lines written during a request carry its id
 * themselves (`requestId` from the request's `RequestContext`, `errorId` in the error filter).
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      useFactory: () => ({
        useExisting: true,
        forRoutes: [],
        pinoHttp: { logger: rootLogger() },
      }),
    }),
  ],
})
export class LoggingModule {}
