import { HttpException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { isDatabaseUnavailable, isUniqueViolation } from './database-errors';
import type { FieldError } from './problem.exception';
import { ProblemException } from './problem.exception';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
  requestId: string;
  [extension: string]: unknown;
}

export interface Problem {
  body: ProblemBody;
  headers: Record<string, string>;
  /** Set for errors the server caused: the filter logs them with their id. */
  internal: boolean;
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  412: 'precondition_failed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  428: 'precondition_required',
  429: 'rate_limited',
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'gateway_timeout',
};

function body(status: number, code: string, detail: string, requestId: string, errors?: FieldError[]): ProblemBody {
  return {
    type: `urn:roster:problem:${code}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(errors?.length ? { errors } : {}),
    requestId,
  };
}

/** Turns anything thrown while serving a request into RFC 9457 problem details. */
export function toProblem(error: unknown, requestId: string): Problem {
  if (error instanceof ProblemException) {
    return {
      body: body(error.getStatus(), error.code, error.message, requestId, error.errors),
      headers: error.headers ?? {},
      internal: false,
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const problem = body(status, CODE_BY_STATUS[status] ?? 'error', detailOf(response, error.message), requestId);
    if (status === 503 && typeof response === 'object' && 'details' in response) {
      problem.checks = response.details;
    }
    return {
      body: problem,
      headers: {},
      internal: status >= 500 && status !== 503,
    };
  }
  if (isUniqueViolation(error)) {
    return {
      body: body(409, 'conflict', 'The request conflicts with an existing resource.', requestId),
      headers: {},
      internal: false,
    };
  }
  if (isDatabaseUnavailable(error)) {
    return {
      body: body(503, 'service_unavailable', 'The database is unavailable; try again shortly.', requestId),
      headers: { 'retry-after': '1' },
      internal: false,
    };
  }
  return {
    body: body(500, 'internal_error', 'An unexpected error occurred.', requestId),
    headers: {},
    internal: true,
  };
}

function detailOf(response: string | object, fallback: string): string {
  if (typeof response === 'string') {
    return response;
  }
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') {
    return message;
  }
  return Array.isArray(message) ? message.join('; ') : fallback;
}
