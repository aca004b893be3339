import * as argon2 from 'argon2';
import { execFileSync } from 'node:child_process';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { encodeCursor } from '../../src/common/pagination/cursor';
import { benchUsername, seed, Seeded } from './seed';
import { rssKiB, ServiceProcess, startService } from '../helpers/service-process';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (options: Record<string, unknown>) => Promise<CannonResult>;
// autocannon reports fixed percentiles; p95 is added to the shared list it reads them from.
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require('hdr-histogram-percentiles-obj') as { percentiles: number[] }).percentiles.push(95);

/**
 * `npm run bench`: seeds MariaDB (`BENCH_DATABASE_URL`, default mysql://root@127.0.0.1:3306/roster_bench; the
 * database is dropped and re-created), starts the built service with production argon2 parameters and drives it
 * with autocannon over loopback. Every figure is the median of RUNS runs with min and max, beside a baseline measured
 * in the same run. Prints a table and writes bench-results.json.
 */
interface CannonResult {
  requests: { average: number };
  latency: Record<string, number>;
  non2xx: number;
  errors: number;
  timeouts: number;
  '2xx': number;
}

const ROOT = join(__dirname, '..', '..');
const SERVER = process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/roster_bench';
const USERS = Number(process.env.BENCH_USERS ?? 1_000_000);
const BIG_GROUP = Number(process.env.BENCH_GROUP_MEMBERS ?? 100_000);
const RUNS = 3;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const CORES = cpus().length;
const PASSWORD = 'Bench password for everyone 1';
const ADMIN = { username: 'admin', password: 'Bench admin password 1' };
const ARGON2 = { memoryCost: 19456, timeCost: 2, parallelism: 1 };
const HASH_CONCURRENCY = Number(process.env.PASSWORD_HASH_CONCURRENCY ?? 4);
const JWT_ALGORITHM = process.env.JWT_ALGORITHM;

const log = (line: string): void => void process.stdout.write(`${line}\n`);

interface Stat {
  median: number;
  min: number;
  max: number;
}

function stat(values: number[]): Stat {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted[sorted.length - 1] };
}

interface Row {
  work: string;
  metric: string;
  value: Stat;
  baselineName: string;
  baseline: Stat;
  ratio: Stat;
  target: string;
  met: boolean;
  notes?: string;
}

const rows: Row[] = [];

function addRow(
  work: string,
  metric: string,
  values: number[],
  baselineName: string,
  baselines: number[],
  target: string,
  met: (value: Stat, ratio: Stat) => boolean,
  notes?: string,
): void {
  const value = stat(values);
  const ratio = stat(values.map((v, i) => (baselines[i] > 0 ? v / baselines[i] : NaN)));
  rows.push({
    work,
    metric,
    value,
    baselineName,
    baseline: stat(baselines),
    ratio,
    target,
    met: met(value, ratio),
    notes,
  });
}

interface Load {
  path: string;
  method?: string;
  token?: string;
  body?: unknown;
  connections: number;
  requests?: unknown[];
  seconds?: number;
}

async function cannon(service: ServiceProcess, load: Load): Promise<CannonResult> {
  const result = await autocannon({
    url: `${service.url}${load.path}`,
    method: load.method ?? 'GET',
    connections: load.connections,
    duration: load.seconds ?? SECONDS,
    headers: {
      ...(load.token ? { authorization: `Bearer ${load.token}` } : {}),
      ...(load.body !== undefined || load.requests ? { 'content-type': 'application/json' } : {}),
    },
    body: load.body !== undefined ? JSON.stringify(load.body) : undefined,
    requests: load.requests,
  });
  if (result.non2xx || result.errors || result.timeouts) {
    throw new Error(
      `${load.method ?? 'GET'} ${load.path}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  return result;
}

/**
 * Latency percentile (ms, exact, sub-millisecond) of GETs at a fixed number of connections: runs for SECONDS and
 * at least `minRequests` requests (autocannon reports whole milliseconds and nothing for a run too short to finish one).
 */
async function latency(
  service: ServiceProcess,
  path: string,
  token: string | undefined,
  connections: number,
  percentile: number,
  minRequests = 40,
  bodies?: unknown[],
): Promise<number> {
  let sent = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(`${service.url}${path}`);
  const once = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const body = bodies ? JSON.stringify(bodies[sent++ % bodies.length]) : undefined;
      const started = performance.now();
      const req = request(
        target,
        {
          agent,
          method: body ? 'POST' : 'GET',
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(body ? { 'content-type': 'application/json' } : {}),
          },
          timeout: 60_000,
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 200
              ? resolve(performance.now() - started)
              : reject(new Error(`GET ${path} → ${res.statusCode}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const samples: number[] = [];
  const end = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < end || samples.length < minRequests) {
        samples.push(await once());
      }
    }),
  );
  agent.destroy();
  samples.sort((a, b) => a - b);
  return samples[Math.min(samples.length - 1, Math.ceil((percentile / 100) * samples.length) - 1)];
}

async function call<T>(
  service: ServiceProcess,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${method} ${path} → ${response.status} ${text}`);
  }
  return JSON.parse(text) as T;
}

type Pair = { accessToken: string; refreshToken: string };
const login = (s: ServiceProcess, username: string, password: string): Promise<Pair> =>
  call<Pair>(s, 'POST', '/api/v1/auth/login', undefined, { username, password });

function rawRate(args: string[]): number {
  const out = execFileSync(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', join(__dirname, 'raw.ts'), ...args],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'test', 'tsconfig.json') } },
  );
  return (JSON.parse(out.trim().split('\n').pop()!) as { rate: number }).rate;
}

/** Runs `measure` RUNS times after one warm-up run, alternating with its baseline. */
async function pairs(
  measure: () => Promise<number>,
  baseline: () => Promise<number>,
): Promise<{ values: number[]; baselines: number[] }> {
  await measure();
  const values: number[] = [];
  const baselines: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    baselines.push(await baseline());
    values.push(await measure());
  }
  return { values, baselines };
}

async function prepareDatabase(): Promise<{ url: string; seeded: Seeded; seedSeconds: number }> {
  const base = new URL(SERVER);
  const name = base.pathname.slice(1) || 'roster_bench';
  const admin = await createConnection({ uri: `${base.protocol}//${base.username}:${base.password}@${base.host}/` });
  await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const url = base.toString();
  // The service migrates the empty database and creates the administrator; then the bulk data goes in directly.
  const first = await startService(serviceEnv(url), 120_000);
  await first.stop();
  const started = Date.now();
  const passwordHash = await argon2.hash(PASSWORD, { type: argon2.argon2id, ...ARGON2 });
  const db = await createConnection({ uri: url });
  const seeded = await seed(db, { users: USERS, bigGroupMembers: BIG_GROUP, passwordHash, password: PASSWORD, log });
  await db.end();
  return { url, seeded, seedSeconds: (Date.now() - started) / 1000 };
}

function serviceEnv(url: string): Record<string, string> {
  return {
    DATABASE_URL: url,
    LOG_LEVEL: 'warn',
    BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    ARGON2_MEMORY_KIB: String(ARGON2.memoryCost),
    ARGON2_TIME_COST: String(ARGON2.timeCost),
    ARGON2_PARALLELISM: String(ARGON2.parallelism),
    PASSWORD_HASH_CONCURRENCY: String(HASH_CONCURRENCY),
    LOGIN_IP_MAX_ATTEMPTS: '1000000',
    LOGIN_IP_WINDOW_SECONDS: '1',
    ACCESS_TOKEN_TTL_SECONDS: '3600',
    ...(JWT_ALGORITHM ? { JWT_ALGORITHM } : {}),
    ...(process.env.UV_THREADPOOL_SIZE ? { UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE } : {}),
  };
}

const rps = (r: CannonResult): number => r.requests.average;
const fmt = (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const fmtStat = (s: Stat): string =>
  Number.isFinite(s.median) ? `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})` : '- (baseline under 1 ms resolution)';

async function main(): Promise<void> {
  const benchStarted = Date.now();
  log(`Seeding ${USERS} users on ${SERVER} ...`);
  const { url, seeded, seedSeconds } = await prepareDatabase();
  log(`Seeded in ${seedSeconds.toFixed(0)} s`);
  const measuredFrom = Date.now();
  const service = await startService(serviceEnv(url), 120_000);
  const rssAtStart = (await rssKiB(service.pid)) / 1024;
  try {
    const admin = (await login(service, ADMIN.username, ADMIN.password)).accessToken;
    const client = (await login(service, seeded.client.username, seeded.client.password)).accessToken;
    const bare = (connections: number) => async () => rps(await cannon(service, { path: '/health/live', connections }));
    const bareLatency = (connections: number, p: number) => () =>
      latency(service, '/health/live', undefined, connections, p);

    // Password logins against argon2.verify on its own in another process, same parameters and concurrency.
    log('logins ...');
    const [hash] = [await argon2.hash(PASSWORD, { type: argon2.argon2id, ...ARGON2 })];
    let next = 0;
    const loginRequests = [
      {
        method: 'POST',
        path: '/api/v1/auth/login',
        setupRequest: (req: Record<string, unknown>) => ({
          ...req,
          body: JSON.stringify({ username: benchUsername((next++ % 5000) + 2), password: PASSWORD }),
        }),
      },
    ];
    const logins = await pairs(
      async () => rps(await cannon(service, { path: '/api/v1/auth/login', connections: 8, requests: loginRequests })),
      () => Promise.resolve(rawRate(['argon2', hash, PASSWORD, String(HASH_CONCURRENCY), String(SECONDS)])),
    );
    addRow(
      'password logins (argon2id m=19456 t=2 p=1), 8 connections',
      'logins/s',
      logins.values,
      `raw argon2.verify/s, concurrency ${HASH_CONCURRENCY}`,
      logins.baselines,
      '≥ 85% of raw; ≥ 30/s per core',
      (v, r) => r.median >= 0.85 && v.median / CORES >= 30,
    );

    // Refresh rotations: every connection carries its own session and spends each refresh token once.
    log('refresh rotations ...');
    const sessions: string[] = [];
    let sessionUser = 10_000;
    // Requests cut off at the end of a run take their tokens with them: top the pool up before each run (untimed).
    const topUp = async (): Promise<void> => {
      while (sessions.length < 48) {
        sessions.push((await login(service, benchUsername(sessionUser++), PASSWORD)).refreshToken);
      }
    };
    // A shared pool of live refresh tokens (autocannon resets a connection's context when its request list wraps):
    // each request spends one and its answer puts the next one back.
    const refreshRequests = [
      {
        method: 'POST',
        path: '/api/v1/auth/refresh',
        setupRequest: (req: Record<string, unknown>) => ({
          ...req,
          body: JSON.stringify({ refreshToken: sessions.pop() }),
        }),
        onResponse: (status: number, body: string) => {
          if (status !== 200 && !refreshFailure) {
            refreshFailure = `${status} ${body}`;
          }
          if (status === 200) {
            sessions.push((JSON.parse(body) as Pair).refreshToken);
          }
        },
      },
    ];
    let refreshFailure: string | undefined;
    const algorithm = JWT_ALGORITHM ?? 'RS256';
    const refresh = await pairs(
      async () => {
        await topUp();
        const value = rps(
          await cannon(service, { path: '/api/v1/auth/refresh', connections: 16, requests: refreshRequests }).catch(
            (error: Error) => {
              throw new Error(`${error.message}; first failure: ${refreshFailure}`);
            },
          ),
        );
        return value;
      },
      () => Promise.resolve(rawRate(['sign', algorithm, String(SECONDS)])),
    );
    addRow(
      `refresh-token rotations (${algorithm}), 16 connections`,
      'rotations/s',
      refresh.values,
      `raw ${algorithm} signs/s, one thread`,
      refresh.baselines,
      '≥ 600/s per core',
      (v) => v.median / CORES >= 600,
    );

    // Authenticated reads against the bare route of the same app.
    log('GET /users/{id} ...');
    const someUser = await call<{ items: { id: string }[] }>(service, 'GET', '/api/v1/users?limit=1', admin);
    const userPath = `/api/v1/users/${someUser.items[0].id}`;
    const getUser = await pairs(
      async () => rps(await cannon(service, { path: userPath, token: admin, connections: 16 })),
      bare(16),
    );
    addRow(
      'authenticated GET /users/{id}, 16 connections',
      'req/s',
      getUser.values,
      'GET /health/live req/s',
      getUser.baselines,
      'rate reported as ratio',
      () => true,
    );
    const getUserP99 = await pairs(() => latency(service, userPath, admin, 16, 99, 400), bareLatency(16, 99));
    addRow(
      'authenticated GET /users/{id}, 16 connections',
      'p99 ms',
      getUserP99.values,
      'GET /health/live p99 ms',
      getUserP99.baselines,
      'p99 < 10 ms',
      (v) => v.median < 10,
    );

    log('POST /authz/check ...');
    const checks = [
      { userId: seeded.authzUserId, permission: 'resources.read', resource: 'project:198' },
      { userId: seeded.authzUserId, permission: 'resources.remove', resource: 'project:nowhere' },
    ];
    const authz = await pairs(
      () => latency(service, '/api/v1/authz/check', client, 16, 99, 400, checks),
      bareLatency(16, 99),
    );
    addRow(
      `POST /authz/check, user in ${seeded.authzGroups} groups / ${seeded.authzAssignments} assignments (allowed and denied alternately), 16 connections`,
      'p99 ms',
      authz.values,
      'GET /health/live p99 ms',
      authz.baselines,
      'p99 < 5 ms',
      (v) => v.median < 5,
    );

    log('user search ...');
    const target = benchUsername(654_321 % USERS || 2);
    const searches: [string, string, string, number][] = [
      [
        'exact username (usernamePrefix)',
        `/api/v1/users?usernamePrefix=${encodeURIComponent(target)}`,
        'p95 < 5 ms',
        5,
      ],
      [
        'username prefix (usernamePrefix)',
        `/api/v1/users?usernamePrefix=${encodeURIComponent(target.slice(0, -3))}`,
        'p95 < 5 ms',
        5,
      ],
      [
        'exact username (search, substring semantics)',
        `/api/v1/users?search=${encodeURIComponent(target)}`,
        'p95 < 100 ms',
        100,
      ],
      ['rare substring (search=.4242)', '/api/v1/users?search=.4242', 'p95 < 100 ms', 100],
      ['common substring (search=smith)', '/api/v1/users?search=smith', 'p95 < 100 ms', 100],
    ];
    for (const [label, path, goal, limit] of searches) {
      const r = await pairs(() => latency(service, path, admin, 4, 95), bareLatency(4, 95));
      addRow(
        `user search over ${USERS} users: ${label}, 4 connections`,
        'p95 ms',
        r.values,
        'GET /health/live p95 ms',
        r.baselines,
        goal,
        (v) => v.median < limit,
      );
    }

    // Keyset walk by username, 200 a page: page 1 against page 5,000 (the cursor of the row before it).
    const db = await createConnection({ uri: url });
    const deepRow = Math.min(USERS, 5000 * 200) - 200;
    const [deep] = await db.query(
      `SELECT username_key AS k, id FROM users ORDER BY username_key, id LIMIT 1 OFFSET ${deepRow - 1}`,
    );
    const [deepMember] = await db.query(
      `SELECT username_key AS k, user_id AS id FROM group_members WHERE group_id = ? ORDER BY username_key, user_id LIMIT 1 OFFSET ${BIG_GROUP - 101}`,
      [seeded.bigGroupId],
    );
    await db.end();
    const deepPosition = (deep as { k: string; id: string }[])[0];
    const memberPosition = (deepMember as { k: string; id: string }[])[0];
    const page1 = '/api/v1/users?limit=200';
    const page5000 = `/api/v1/users?limit=200&cursor=${encodeCursor([deepPosition.k, deepPosition.id])}`;
    const keyset = await pairs(
      () => latency(service, page5000, admin, 4, 95),
      () => latency(service, page1, admin, 4, 95),
    );
    addRow(
      'keyset walk by username, 200 a page, 4 connections: page 5,000',
      'p95 ms',
      keyset.values,
      'page 1 p95 ms',
      keyset.baselines,
      'within ±20% of page 1',
      (_v, r) => r.median >= 0.8 && r.median <= 1.2,
    );

    log('group members ...');
    const members = `/api/v1/groups/${seeded.bigGroupId}/members?limit=50`;
    const membersDeep = `${members}&cursor=${encodeCursor([memberPosition.k, memberPosition.id])}`;
    for (const [label, path, goal, limit] of [
      ['member page 1', members, 'p95 < 10 ms', 10],
      ['last member page', membersDeep, 'p95 < 10 ms', 10],
      ['GET /groups/{id} (memberCount)', `/api/v1/groups/${seeded.bigGroupId}`, 'p95 < 20 ms', 20],
    ] as const) {
      const r = await pairs(() => latency(service, path, admin, 4, 95), bareLatency(4, 95));
      addRow(
        `group with ${BIG_GROUP} members: ${label}, 4 connections`,
        'p95 ms',
        r.values,
        'GET /health/live p95 ms',
        r.baselines,
        goal,
        (v) => v.median < limit,
      );
    }

    const rss = (await rssKiB(service.pid)) / 1024;
    rows.push({
      work: 'service memory after the whole run',
      metric: 'RSS MiB',
      value: { median: rss, min: rss, max: rss },
      baselineName: '-',
      baseline: { median: NaN, min: NaN, max: NaN },
      ratio: { median: NaN, min: NaN, max: NaN },
      target: 'RSS < 200 MB',
      met: rss < 200,
      notes: `RSS when ready, before any load: ${rssAtStart.toFixed(0)} MiB`,
    });
  } finally {
    await service.stop();
  }

  const results = {
    date: new Date().toISOString(),
    cores: CORES,
    cpu: cpus()[0]?.model,
    node: process.version,
    database: SERVER.replace(/\/\/[^@]*@/, '//'),
    users: USERS,
    bigGroupMembers: BIG_GROUP,
    runs: RUNS,
    secondsPerRun: SECONDS,
    seedSeconds,
    measuredSeconds: (Date.now() - measuredFrom) / 1000,
    totalSeconds: (Date.now() - benchStarted) / 1000,
    rows,
  };
  writeFileSync(join(ROOT, 'bench-results.json'), JSON.stringify(results, null, 2) + '\n');
  log('');
  log(
    `| work | metric | median (min–max) | baseline | baseline median (min–max) | ratio median (min–max) | target | met |`,
  );
  log(`|---|---|---|---|---|---|---|---|`);
  for (const r of rows) {
    const noBaseline = Number.isNaN(r.baseline.median);
    const b = noBaseline ? '-' : fmtStat(r.baseline);
    const q = noBaseline ? '-' : fmtStat(r.ratio);
    log(
      `| ${r.work} | ${r.metric} | ${fmtStat(r.value)} | ${r.baselineName} | ${b} | ${q} | ${r.target} | ${r.met ? 'yes' : 'NO'} |`,
    );
  }
  log('');
  log(
    `${CORES} cores; seeding ${seedSeconds.toFixed(0)} s (not counted); measured ${results.measuredSeconds.toFixed(0)} s; wrote bench-results.json`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
