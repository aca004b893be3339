import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** Who did something and from where: what every audit event records. */
export interface RequestContext {
  actorId: string | null;
  ip: string | null;
  requestId: string | null;
}

/** The context of work that no request asked for (start-up, background jobs). */
export const SYSTEM_CONTEXT: RequestContext = {
  actorId: null,
  ip: null,
  requestId: null,
};

export function requestContextOf(request: FastifyRequest & { user?: { id: string } }): RequestContext {
  return {
    actorId: request.user?.id ?? null,
    ip: request.ip,
    requestId: String(request.id),
  };
}

/** Injects the `RequestContext` of the current request. */
export const ReqContext = createParamDecorator((_data: unknown, ctx: ExecutionContext): RequestContext =>
  requestContextOf(ctx.switchToHttp().getRequest()),
);
