import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ProblemException } from './errors/problem.exception';
import { PROBLEM_CONTENT_TYPE, toProblem } from './errors/problem-details';

/** Deeper bodies are refused before parsing: no DTO nests past a few levels, and the validation pipe recurses. */
export const MAX_JSON_DEPTH = 32;

/** Nesting depth of JSON text, counted in one pass without parsing (brackets inside strings do not count). */
export function jsonDepth(text: string, stopAt = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c) {
        i++;
      } else if (char === 0x22) {
        inString = false;
      }
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x7b || char === 0x5b) {
      deepest = Math.max(deepest, ++depth);
      if (deepest > stopAt) {
        return deepest;
      }
    } else if (char === 0x7d || char === 0x5d) {
      depth--;
    }
  }
  return deepest;
}

const LONE_SURROGATE = /[\ud800-\udfff]/u;

/** True when a string or key anywhere in the value holds a lone UTF-16 surrogate (valid JSON, invalid Unicode). */
export function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') {
    return LONE_SURROGATE.test(value);
  }
  if (Array.isArray(value)) {
    return value.some(hasLoneSurrogate);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).some(([key, item]) => LONE_SURROGATE.test(key) || hasLoneSurrogate(item));
  }
  return false;
}

/**
 * Fastify's own JSON parser (prototype-poisoning protection included) behind two checks that turn crashes
 * into 400s: a nesting limit (a 10,000-deep array overflowed the validation pipe's stack: 500) and a refusal of
 * lone surrogates (validator's isEmail threw URIError on them: 500; no database column could store them either).
 */
export function registerJsonBodyParser(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
      done(ProblemException.badRequest('bad_request', `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels.`));
      return;
    }
    void parse(request, text, (error, value) => {
      if (error) {
        done(error, undefined);
      } else if (hasLoneSurrogate(value)) {
        done(ProblemException.badRequest('bad_request', 'The JSON body holds a lone UTF-16 surrogate.'));
      } else {
        done(null, value);
      }
    });
  });
}

/**
 * Errors Fastify's router raises before any route runs (a URL that is not valid percent-encoded UTF-8, a path
 * parameter over the length limit) in the same problem+json as every other error, instead of Fastify's own JSON.
 */
export function frameworkErrors(error: Error, request: FastifyRequest, reply: FastifyReply): void {
  const problem = toProblem(
    ProblemException.badRequest('bad_request', `The URL is not valid: ${error.message}`),
    String(request.id),
  );
  void reply
    .status(problem.body.status)
    .header('x-request-id', String(request.id))
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problem.body));
}
