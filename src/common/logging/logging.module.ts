import { Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { rootLogger } from './root-logger';

/**
 * JSON logs with the request id on every line written during a request. Fastify owns the per-request logger
 * (`useExisting`): one child logger a request instead of pino-http's three, which cost more than the rest of a
 * bare route together.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      useFactory: () => ({
        useExisting: true,
        forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
        pinoHttp: { logger: rootLogger() },
      }),
    }),
  ],
})
export class LoggingModule {}
