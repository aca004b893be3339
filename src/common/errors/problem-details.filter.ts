import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem-details';

/**
 * The one place that renders errors: RFC 9457 problem+json with a stable `code` and the request id. Nest routes
 * Fastify's own errors (bad JSON, wrong content type, body too large) here as well.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const problem = toProblem(error, String(request.id));
    if (problem.internal) {
      this.logger.error({ err: error, errorId: problem.body.requestId }, 'Unhandled error');
    }
    if (reply.sent) {
      return;
    }
    void reply
      .status(problem.body.status)
      .headers(problem.headers)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .send(JSON.stringify(problem.body));
  }
}
