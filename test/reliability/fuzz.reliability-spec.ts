import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { TokensService } from '../../src/auth/tokens.service';
import { TransactionRunner } from '../../src/database/transaction-runner';
import { createUser } from '../factories/user.factory';
import { ADMIN, bearer, startTestApp, TestApp } from '../helpers/test-app';
import { fingerprint, operations, Operation, problemDefect, resolve, Schema } from './contract';
import { encodeSegment, HOSTILE_STRINGS, RAW_SEGMENTS } from './hostile';

/**
 * Contract-driven fuzzing: every operation in openapi/openapi.json gets requests built from its own schema, with
 * valid, boundary and hostile values. Nothing may answer 5xx or an undocumented status, every error is
 * problem+json, and a refused request leaves the database as it found it.
 */
const TOTAL_RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261128);
const REQUEST_DEADLINE_MS = 10_000;
const OPERATIONS = operations();
const RUNS_PER_OPERATION = Math.max(1, Math.ceil(TOTAL_RUNS / OPERATIONS.length));
const PASSWORD = 'Fuzzing pass phrase 2026';

interface Pools {
  users: string[];
  usernames: string[];
  groups: string[];
  roles: string[];
  assignments: string[];
}

interface FuzzRequest {
  auth: 'admin' | 'none' | 'garbage' | 'basic' | 'tampered';
  pathValues: Record<string, string>;
  query: string;
  contentType?: string;
  payload?: string;
  ifMatch?: string;
  /** What the request is, for the defect report (truncated). */
  summary: string;
}

const stats = {
  requests: 0,
  byStatus: {} as Record<string, number>,
  byOperation: {} as Record<string, Record<string, number>>,
  reLogins: 0,
  defects: [] as string[],
};

function pick<T>(items: T[], fallback: T): fc.Arbitrary<T> {
  return items.length ? fc.constantFrom(...items) : fc.constant(fallback);
}

/** Values of a property: mostly plausible, sometimes at or past a bound, sometimes hostile or of the wrong type. */
function valueFor(name: string, schema: Schema | undefined, pools: Pools, depth = 0): fc.Arbitrary<unknown> {
  const wrongType = fc.oneof(
    fc.constant(null),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant([]),
    fc.constant({}),
    fc.string({ maxLength: 10 }),
    fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
    fc.constantFrom([[]], [null], [[{}]], [1]),
  );
  const hostile = fc.oneof(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ unit: 'binary', maxLength: 40 }));
  if (!schema) {
    return fc.oneof(wrongType, hostile);
  }
  if (schema.enum?.length) {
    return fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...schema.enum) }, hostile, wrongType);
  }
  const anyId = fc.oneof(
    pick(pools.users, 'x'),
    pick(pools.groups, 'x'),
    pick(pools.roles, 'x'),
    fc.uuid(),
    fc.uuid().map((u) => u.toUpperCase()),
  );
  switch (schema.type) {
    case 'string': {
      const max = schema.maxLength ?? 100;
      const plausible =
        schema.format === 'uuid' || /id$/i.test(name)
          ? anyId
          : schema.format === 'email'
            ? fc.emailAddress()
            : /url$/i.test(name)
              ? // Only loopback, and a port nobody listens on: directory routes fail fast with 502, never reach out.
                fc.constantFrom('ldap://127.0.0.1:1', 'ldaps://127.0.0.1:1', 'ldap://localhost:9')
              : /password/i.test(name)
                ? fc.constantFrom(PASSWORD, 'password', 'short', 'x'.repeat(129))
                : /^(username|name)$/.test(name)
                  ? fc.oneof(
                      fc.stringMatching(/^[a-z][a-z0-9._-]{0,15}$/),
                      pick(pools.usernames, 'nobody'),
                      fc.string({ minLength: 1, maxLength: 20 }),
                    )
                  : fc.string({ maxLength: Math.min(max, 30) });
      return fc.oneof(
        { weight: 8, arbitrary: plausible },
        fc.constantFrom('', 'x'.repeat(max), 'x'.repeat(max + 1), 'é'.repeat(max), '\u0301'.repeat(max + 1)),
        { weight: 3, arbitrary: hostile },
        wrongType,
      );
    }
    case 'number':
    case 'integer': {
      const min = schema.minimum ?? -1000;
      const max = schema.maximum ?? 1000;
      return fc.oneof(
        { weight: 6, arbitrary: fc.integer({ min, max }) },
        fc.constantFrom(min - 1, max + 1, 0, -1, 1.5, 1e308, -0, Number.MAX_SAFE_INTEGER + 2),
        wrongType,
      );
    }
    case 'boolean':
      return fc.oneof({ weight: 6, arbitrary: fc.boolean() }, fc.constantFrom('true', 'false', 0, 1), wrongType);
    case 'array': {
      const item = valueFor(name, schema.items, pools, depth + 1);
      return fc.oneof(
        { weight: 6, arbitrary: fc.array(item, { maxLength: 4 }) },
        fc.constantFrom(Array.from({ length: 2_000 }, (_, i) => `project:${i}`)),
        wrongType,
      );
    }
    case 'object':
    case undefined:
      if (schema.properties && depth < 4) {
        return objectFor(schema, pools, depth + 1);
      }
      return fc.oneof(
        fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
        wrongType,
      );
    default:
      return fc.oneof(wrongType, hostile);
  }
}

function objectFor(schema: Schema, pools: Pools, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const properties = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  const fields = properties.map(([name, property]) =>
    fc
      .tuple(
        fc.integer({ min: 0, max: 99 }),
        valueFor(name, resolve(property), pools, depth).map((value) => [name, value] as const),
      )
      // Required fields are present 95% of the time, optional ones half of it.
      .map(([roll, entry]) => (roll < (required.has(name) ? 95 : 50) ? entry : undefined)),
  );
  const extra = fc.option(
    fc.constantFrom<[string, unknown]>(
      ['isAdmin', true],
      ['passwordHash', '$argon2id$v=19$m=1,t=1,p=1$x$y'],
      ['id', '00000000-0000-0000-0000-000000000000'],
      ['version', 99],
      ['constructor', { prototype: { polluted: true } }],
    ),
    { freq: 8 },
  );
  return fc.tuple(fc.tuple(...fields), extra, fc.boolean()).map(([entries, unknown, consistent]) => {
    const body: Record<string, unknown> = {};
    for (const entry of entries) {
      if (entry) {
        body[entry[0]] = entry[1];
      }
    }
    if (unknown) {
      body[unknown[0]] = unknown[1];
    }
    // Make the password confirmation match most of the time, so the success paths are reached too.
    if (consistent && 'confirmPassword' in body) {
      body.confirmPassword = body.newPassword ?? body.password;
    }
    return body;
  });
}

function bodyFor(op: Operation, pools: Pools): fc.Arbitrary<{ contentType?: string; payload: string; label: string }> {
  const valid = op.body ? valueFor('body', op.body, pools) : fc.constant({});
  const json = (label: string) => (value: unknown) => ({
    contentType: 'application/json',
    payload: JSON.stringify(value) ?? 'null',
    label,
  });
  return fc.oneof(
    { weight: 60, arbitrary: valid.map(json('schema')) },
    {
      weight: 5,
      arbitrary: fc.tuple(valid, fc.jsonValue({ maxDepth: 1 })).map(([value, other]) => {
        const text = JSON.stringify(value) ?? '{}';
        const duplicate = Object.keys(typeof value === 'object' && value ? value : { a: 1 })[0] ?? 'a';
        const payload =
          text.startsWith('{') && text !== '{}'
            ? `${text.slice(0, -1)},"${duplicate}":${JSON.stringify(other)}}`
            : text;
        return { contentType: 'application/json', payload, label: 'duplicate-keys' };
      }),
    },
    {
      weight: 4,
      arbitrary: fc.integer({ min: 100, max: 100_000 }).map((depth) => ({
        contentType: 'application/json',
        payload: fc.sample(fc.boolean(), { numRuns: 1, seed: depth })[0]
          ? '['.repeat(depth) + ']'.repeat(depth)
          : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
        label: `deep-${depth}`,
      })),
    },
    { weight: 5, arbitrary: fc.jsonValue({ maxDepth: 2 }).map(json('wrong-top-level')) },
    {
      weight: 4,
      arbitrary: fc
        .constantFrom(
          '{',
          '{"a":',
          '',
          '\u0000',
          '\ufeff{}',
          '{"a":1}{"b":2}',
          'nul',
          '{"__proto__":{"x":1}}',
          '{"\ud800":1}',
        )
        .map((payload) => ({ contentType: 'application/json', payload, label: 'malformed' })),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(1024 * 1024 + 1, 3 * 1024 * 1024).map((size) => ({
        contentType: 'application/json',
        payload: `{"x":"${'a'.repeat(size)}"}`,
        label: `huge-${size}`,
      })),
    },
    {
      weight: 8,
      arbitrary: fc
        .tuple(
          valid,
          fc.constantFrom<string | undefined>(
            'text/plain',
            'application/x-www-form-urlencoded',
            'multipart/form-data; boundary=x',
            'application/xml',
            'application/json; charset=utf-16',
            'application/json; charset=latin1',
            'application/JSON',
            'application/merge-patch+json',
            undefined,
          ),
        )
        .map(([value, contentType]) => ({ contentType, payload: JSON.stringify(value) ?? '', label: 'content-type' })),
    },
  );
}

function requestFor(op: Operation, pools: Pools): fc.Arbitrary<FuzzRequest> {
  const pathParams = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  const idFor = (name: string): fc.Arbitrary<string> => {
    const known = name === 'assignmentId' ? pools.assignments : [...pools.users, ...pools.groups, ...pools.roles];
    return fc.oneof(
      { weight: 5, arbitrary: pick(known, 'x').map(encodeSegment) },
      { weight: 2, arbitrary: fc.uuid().map(encodeSegment) },
      fc.constantFrom(...HOSTILE_STRINGS.filter((s) => s.length < 5000)).map(encodeSegment),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).map(encodeSegment),
      fc.constantFrom(...RAW_SEGMENTS),
    );
  };
  const query = op.parameters
    .filter((p) => p.in === 'query')
    .map((p) =>
      fc.option(
        fc.tuple(valueFor(p.name, p.schema, pools), fc.integer({ min: 0, max: 19 })).map(([value, roll]) => {
          const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
          const pair = `${encodeURIComponent(p.name)}=${encodeSegment(text)}`;
          return roll === 0 ? `${pair}&${pair}` : pair;
        }),
        { freq: 2 },
      ),
    );
  return fc
    .record({
      auth: fc.constantFrom<FuzzRequest['auth']>(
        ...Array<FuzzRequest['auth']>(22).fill('admin'),
        'none',
        'garbage',
        'basic',
        'tampered',
      ),
      path: fc.tuple(...pathParams.map(idFor)),
      query: fc.tuple(...query),
      body: op.body ? bodyFor(op, pools).map((b) => b as typeof b | undefined) : fc.constant(undefined),
      ifMatch:
        op.method === 'PATCH'
          ? fc.option(fc.constantFrom('"1"', '"2"', 'W/"1"', '*', '"x"', '1', '"99999999999"'))
          : fc.constant(null),
    })
    .map(({ auth, path, query: queryParts, body, ifMatch }) => {
      const pathValues = Object.fromEntries(pathParams.map((name, i) => [name, path[i]]));
      const qs = queryParts.filter((q): q is string => q !== null).join('&');
      return {
        auth,
        pathValues,
        query: qs,
        contentType: body?.contentType,
        payload: body?.payload,
        ifMatch: ifMatch ?? undefined,
        summary: `${auth} ${JSON.stringify(pathValues)} ?${qs.slice(0, 200)} ${body?.label ?? ''} ${body?.contentType ?? ''} ${(body?.payload ?? '').slice(0, 300)}`,
      };
    });
}

describe('fuzzing from the OpenAPI contract', () => {
  let t: TestApp;
  let adminId: string;
  let adminToken: string;
  const pools: Pools = { users: [], usernames: [], groups: [], roles: [], assignments: [] };

  async function freshAdminToken(): Promise<string> {
    // Straight through TokensService: the login route's rate limit must not lock the fuzzer out.
    const pair = await t.app
      .get(TransactionRunner)
      .run((manager) =>
        t.app
          .get(TokensService)
          .startSession(manager, { id: adminId, mustChangePassword: false }, { ip: '127.0.0.1', userAgent: 'fuzz' }),
      );
    return pair.accessToken;
  }

  beforeAll(async () => {
    t = await startTestApp();
    const rows = await t.dataSource.query<{ id: string }[]>('SELECT id FROM users WHERE username = ?', [
      ADMIN.username,
    ]);
    adminId = rows[0].id;
    adminToken = await freshAdminToken();
    const managers = await t.dataSource.query<{ id: string }[]>('SELECT id FROM roles');
    pools.roles.push(...managers.map((r) => r.id));
    for (let i = 0; i < 6; i++) {
      const user = await createUser(t, { password: PASSWORD });
      pools.users.push(user.id);
      pools.usernames.push(user.username);
    }
    const group = await t.http
      .post('/api/v1/groups')
      .set(bearer(adminToken))
      .send({ name: 'fuzz-group', memberIds: pools.users.slice(0, 3) })
      .expect(201);
    pools.groups.push(group.body.id);
    const role = await t.http
      .post('/api/v1/roles')
      .set(bearer(adminToken))
      .send({ name: 'fuzz-role', permissions: ['resources.read'] })
      .expect(201);
    pools.roles.push(role.body.id);
    const assignment = await t.http
      .post(`/api/v1/users/${pools.users[0]}/role-assignments`)
      .set(bearer(adminToken))
      .send({ roleId: role.body.id, resources: ['project:1'] })
      .expect(201);
    pools.assignments.push(assignment.body.id);
  });

  afterAll(async () => {
    await t?.close();
    mkdirSync(join(__dirname, '..', '..', 'test-output'), { recursive: true });
    writeFileSync(
      join(__dirname, '..', '..', 'test-output', 'reliability-fuzz.json'),
      JSON.stringify({ seed: SEED, ...stats, defects: stats.defects.slice(0, 200) }, null, 2),
    );
    console.log(
      `fuzz: ${stats.requests} requests, seed ${SEED}, statuses ${JSON.stringify(stats.byStatus)}, ` +
        `${stats.reLogins} re-logins, ${stats.defects.length} defects`,
    );
  });

  async function send(op: Operation, request: FuzzRequest): Promise<void> {
    const url =
      op.path.replace(/\{(\w+)\}/g, (_, name: string) => request.pathValues[name]) +
      (request.query ? `?${request.query}` : '');
    const headers: Record<string, string> = {};
    const authorization = {
      admin: `Bearer ${adminToken}`,
      none: undefined,
      garbage: 'Bearer not.a.token',
      basic: 'Basic YWRtaW46YWRtaW4=',
      tampered: `Bearer ${adminToken.slice(0, -4)}AAAA`,
    }[request.auth];
    if (authorization) {
      headers.authorization = authorization;
    }
    if (request.contentType) {
      headers['content-type'] = request.contentType;
    }
    if (request.ifMatch) {
      headers['if-match'] = request.ifMatch;
    }
    const before = await fingerprint(t.dataSource);
    const fastify = t.app.getHttpAdapter().getInstance();
    let timer: NodeJS.Timeout | undefined;
    const response = await Promise.race([
      fastify.inject({ method: op.method, url, headers, payload: request.payload }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${REQUEST_DEADLINE_MS} ms`)), REQUEST_DEADLINE_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    const status = response.statusCode;
    stats.requests++;
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    const perOp = (stats.byOperation[op.key] ??= {});
    perOp[status] = (perOp[status] ?? 0) + 1;
    const defect = (what: string): void => {
      stats.defects.push(
        `${op.key} → ${status}: ${what} | ${request.summary.slice(0, 600)} | ${response.body.slice(0, 300)}`,
      );
    };
    // 502/503 are contract answers where documented (an unreachable directory); anything else 5xx is a defect.
    if (status === 500 || (status >= 500 && !op.statuses.has(status))) {
      defect('server error');
    }
    if (!op.statuses.has(status)) {
      defect('undocumented status');
    }
    if (status >= 400) {
      const problem = problemDefect(status, response.headers['content-type'] as string | undefined, response.body);
      if (problem) {
        defect(problem);
      }
      const after = await fingerprint(t.dataSource);
      if (after !== before) {
        defect(`refused request changed the database: ${before} → ${after}`);
      }
    }
    if (status === 201) {
      const created = JSON.parse(response.body) as { id?: string; username?: string };
      const pool = op.path.endsWith('role-assignments')
        ? pools.assignments
        : op.path.includes('groups')
          ? pools.groups
          : op.path.includes('roles')
            ? pools.roles
            : pools.users;
      if (created.id && pool.length < 200) {
        pool.push(created.id);
        if (created.username) {
          pools.usernames.push(created.username);
        }
      }
    }
    if (status === 401 && request.auth === 'admin' && op.secured) {
      stats.reLogins++;
      adminToken = await freshAdminToken();
    }
  }

  it.each(OPERATIONS.map((op, index) => [op.key, op, index] as const))(
    'answers %s with documented statuses, problem+json errors and no write on refusal',
    async (_key, op, index) => {
      const requests = fc.sample(requestFor(op, pools), { numRuns: RUNS_PER_OPERATION, seed: SEED + index });
      for (const request of requests) {
        await send(op, request);
      }
      const mine = stats.defects.filter((d) => d.startsWith(`${op.key} →`));
      expect(mine.slice(0, 10)).toEqual([]);
    },
    600_000,
  );

  it('never lost the administrator', async () => {
    const response = await t.http.get('/api/v1/me').set(bearer(adminToken));
    expect(response.status).toBe(200);
    expect(stats.requests).toBeGreaterThanOrEqual(Math.min(TOTAL_RUNS, 10_000));
  });
});
