import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';

/** A JSON Schema fragment as @nestjs/swagger writes it into openapi.json. */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  nullable?: boolean;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: Schema;
}

export interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The OpenAPI path template, e.g. `/api/v1/users/{id}`. */
  path: string;
  /** `METHOD /path` for messages and counters. */
  key: string;
  parameters: Parameter[];
  body?: Schema;
  statuses: Set<number>;
  secured: boolean;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { schemas: Record<string, Schema> };
  security?: unknown[];
}

const document = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'openapi', 'openapi.json'), 'utf8'),
) as OpenApiDocument;

/** Resolves `$ref`s (one level at a time, lazily enough for the DTOs' shallow nesting). */
export function resolve(schema: Schema | undefined): Schema | undefined {
  if (!schema) {
    return undefined;
  }
  if (schema.$ref) {
    return resolve(document.components.schemas[schema.$ref.replace('#/components/schemas/', '')]);
  }
  if (schema.allOf?.length === 1) {
    return resolve(schema.allOf[0]);
  }
  return schema;
}

/** Every operation of the committed contract, so routes added later are fuzzed without editing the suite. */
export function operations(): Operation[] {
  const result: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      const op = raw as {
        parameters?: Parameter[];
        requestBody?: { content?: Record<string, { schema?: Schema }> };
        responses: Record<string, unknown>;
        security?: unknown[];
      };
      const upper = method.toUpperCase() as Operation['method'];
      result.push({
        method: upper,
        path,
        key: `${upper} ${path}`,
        parameters: op.parameters ?? [],
        body: resolve(op.requestBody?.content?.['application/json']?.schema),
        statuses: new Set(Object.keys(op.responses).map(Number)),
        secured: (op.security ?? document.security ?? []).length > 0,
      });
    }
  }
  return result;
}

/**
 * The rows a rejected request must not have changed: counts of the entity tables and the sum of the versions
 * of the versioned ones. Tables that legitimately change on a refused request (audit, login failures, rate
 * limits, sessions) are left out.
 */
export const FINGERPRINT_SQL = `SELECT
  (SELECT COUNT(*) FROM users) AS users,
  (SELECT COALESCE(SUM(version), 0) FROM users) AS user_versions,
  (SELECT COUNT(*) FROM user_groups) AS user_groups,
  (SELECT COALESCE(SUM(version), 0) FROM user_groups) AS group_versions,
  (SELECT COUNT(*) FROM group_members) AS group_members,
  (SELECT COUNT(*) FROM roles) AS roles,
  (SELECT COALESCE(SUM(version), 0) FROM roles) AS role_versions,
  (SELECT COUNT(*) FROM role_permissions) AS role_permissions,
  (SELECT COUNT(*) FROM role_assignments) AS role_assignments,
  (SELECT COUNT(*) FROM assignment_resources) AS assignment_resources,
  (SELECT COUNT(*) FROM refresh_tokens) AS refresh_tokens,
  (SELECT COUNT(*) FROM signing_keys) AS signing_keys`;

export async function fingerprint(dataSource: DataSource): Promise<string> {
  const rows = await dataSource.query<Record<string, unknown>[]>(FINGERPRINT_SQL);
  return Object.entries(rows[0])
    .map(([name, value]) => `${name}=${String(value)}`)
    .join(' ');
}

/** Asserts the RFC 9457 shape; returns a message instead of throwing so the fuzzer can report the input. */
export function problemDefect(status: number, contentType: string | undefined, body: string): string | undefined {
  if (!contentType?.startsWith('application/problem+json')) {
    return `content-type ${contentType ?? '(none)'} is not problem+json`;
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return 'body is not JSON';
  }
  for (const field of ['type', 'title', 'detail', 'code', 'requestId']) {
    if (typeof parsed[field] !== 'string' || parsed[field] === '') {
      return `field ${field} missing`;
    }
  }
  if (parsed.status !== status) {
    return `status field ${String(parsed.status)} ≠ ${status}`;
  }
  return undefined;
}
