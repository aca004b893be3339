import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { API_PREFIX } from './common/api-prefix';
import { frameworkErrors, registerJsonBodyParser } from './common/json-body';
import { appConfig } from './config/app.config';
import { requestId } from './common/logging/request-id';
import { logController, rootLogger } from './common/logging/root-logger';
import { setupSwagger } from './swagger';

/** The whole HTTP application, configured the same way for the server, the tests and the OpenAPI generator. */
export async function createApp(): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    genReqId: requestId,
    loggerInstance: rootLogger(),
    logController,
    bodyLimit: 1024 * 1024,
    trustProxy: appConfig().trustProxy,
    frameworkErrors,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, {
    bufferLogs: true,
    abortOnError: false,
    // Nest's parsers would replace ours at init; JSON goes through registerJsonBodyParser, anything else is a 415.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
      { path: '.well-known/jwks.json', method: RequestMethod.GET },
    ],
  });

  const fastify = app.getHttpAdapter().getInstance();
  // A JSON API: anything but JSON is answered with 415 instead of reaching validation as a string or a form.
  fastify.removeContentTypeParser('text/plain');
  registerJsonBodyParser(fastify);
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });

  setupSwagger(app);
  return app;
}
