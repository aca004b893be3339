import * as argon2 from 'argon2';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { encodeCursor } from '../../src/common/pagination/cursor';
import { DEFAULT_HASH_CONCURRENCY } from '../../src/config/auth.config';
import { rssKiB, ServiceProcess, startService } from '../helpers/service-process';
import { benchUsername, seed, Seeded } from './seed';
import { ensureWrk, Load, wrk, WrkResult } from './wrk';

/**
 * `npm run bench`: seeds MariaDB (`BENCH_DATABASE_URL`, default mysql://root@127.0.0.1:3306/roster_bench; the
 * database is dropped and re-created), starts the built service with production argon2 parameters and drives it
 * with wrk over loopback. Every figure is the median of RUNS runs with min and max, each run paired with a baseline
 * measured right before it. Prints a table and writes bench-results.json.
 */
const ROOT = join(__dirname, '..', '..');
const SERVER = process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/roster_bench';
const USERS = Number(process.env.BENCH_USERS ?? 1_000_000);
const BIG_GROUP = Number(process.env.BENCH_GROUP_MEMBERS ?? 100_000);
const RUNS = 3;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
/**
 * Logins are measured on a warmed service: V8 optimises the login path over its first few thousand logins (on the
 * event loop a login cost 5.1 ms of CPU in the first 8 s of a fresh service, 3.3 ms after 60 s of logins).
 */
const LOGIN_WARMUP_SECONDS = Number(process.env.BENCH_LOGIN_WARMUP_SECONDS ?? 30);
const CORES = cpus().length;
const PASSWORD = 'Bench password for everyone 1';
const ADMIN = { username: 'admin', password: 'Bench admin password 1' };
const ARGON2 = { memoryCost: 19456, timeCost: 2, parallelism: 1 };
const HASH_CONCURRENCY = Number(process.env.PASSWORD_HASH_CONCURRENCY ?? DEFAULT_HASH_CONCURRENCY);
/** What a MariaDB holding a million users is given: its working set (~1.5 GiB) fits. */
const BUFFER_POOL_BYTES = 2 * 1024 ** 3;

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
}

const rows: Row[] = [];

function addRow(
  row: Omit<Row, 'value' | 'baseline' | 'ratio' | 'met'>,
  values: number[],
  baselines: number[],
  met: (value: Stat, ratio: Stat) => boolean,
): void {
  const value = stat(values);
  const ratio = stat(values.map((v, i) => (baselines[i] > 0 ? v / baselines[i] : NaN)));
  rows.push({ ...row, value, baseline: stat(baselines), ratio, met: met(value, ratio) });
}

/** A run that must not fail: every response 2xx. */
async function load(spec: Load): Promise<WrkResult> {
  const result = await wrk(spec);
  if (result.failures) {
    throw new Error(`${spec.method ?? 'GET'} ${spec.url}: ${result.failures} of ${result.requests} failed`);
  }
  return result;
}

/** Runs `measure` RUNS times after one warm-up run, each after its baseline. */
async function pairs<T>(
  measure: () => Promise<T>,
  baseline: () => Promise<T>,
): Promise<{ values: T[]; baselines: T[] }> {
  await measure();
  const values: T[] = [];
  const baselines: T[] = [];
  for (let i = 0; i < RUNS; i++) {
    baselines.push(await baseline());
    values.push(await measure());
  }
  return { values, baselines };
}

/**
 * As `pairs` (but the caller warms up), for a rate whose baseline the machine's drift could move by more than the
 * gap measured: the baseline is measured right before and right after each run, and the run is paired with the mean.
 */
async function bracketed(
  measure: () => Promise<number>,
  baseline: () => Promise<number> | number,
): Promise<{ values: number[]; baselines: number[] }> {
  const values: number[] = [];
  const baselines: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const before = await baseline();
    values.push(await measure());
    baselines.push((before + (await baseline())) / 2);
  }
  return { values, baselines };
}

function rawRate(args: string[]): number {
  const out = execFileSync(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', join(__dirname, 'raw.ts'), ...args],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'test', 'tsconfig.json') } },
  );
  return (JSON.parse(out.trim().split('\n').pop()!) as { rate: number }).rate;
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

/** Drops and re-creates the database, lets the service migrate it and create the administrator, then bulk-loads. */
async function prepareDatabase(): Promise<{ url: string; seeded: Seeded; seedSeconds: number }> {
  const base = new URL(SERVER);
  const name = base.pathname.slice(1) || 'roster_bench';
  const admin = await createConnection({ uri: `${base.protocol}//${base.username}:${base.password}@${base.host}/` });
  await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const url = base.toString();
  const first = await startService(serviceEnv(url), 120_000);
  await first.stop();
  const started = Date.now();
  const passwordHash = await argon2.hash(PASSWORD, { type: argon2.argon2id, ...ARGON2 });
  const db = await createConnection({ uri: url });
  const seeded = await seed(db, { users: USERS, bigGroupMembers: BIG_GROUP, passwordHash, password: PASSWORD, log });
  await db.end();
  return { url, seeded, seedSeconds: (Date.now() - started) / 1000 };
}

/** Sizes the server's buffer pool for the seeded data; returns the size to restore afterwards. */
async function sizeBufferPool(url: string): Promise<() => Promise<void>> {
  const db = await createConnection({ uri: url });
  const [[current]] = (await db.query('SELECT @@innodb_buffer_pool_size AS size')) as unknown as [{ size: string }[]];
  const before = Number(current.size);
  if (before < BUFFER_POOL_BYTES) {
    await db.query(`SET GLOBAL innodb_buffer_pool_size = ${BUFFER_POOL_BYTES}`);
  }
  await db.end();
  return async () => {
    if (before < BUFFER_POOL_BYTES) {
      const restore = await createConnection({ uri: url });
      await restore.query(`SET GLOBAL innodb_buffer_pool_size = ${before}`);
      await restore.end();
    }
  };
}

function serviceEnv(url: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: url,
    LOG_LEVEL: 'warn',
    BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    ARGON2_MEMORY_KIB: String(ARGON2.memoryCost),
    ARGON2_TIME_COST: String(ARGON2.timeCost),
    ARGON2_PARALLELISM: String(ARGON2.parallelism),
    PASSWORD_HASH_CONCURRENCY: String(HASH_CONCURRENCY),
    // The run outlasts the default 5 minutes; the tokens the loads carry must stay valid.
    ACCESS_TOKEN_TTL_SECONDS: '3600',
    ...extra,
  };
}

const fmt = (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const fmtStat = (s: Stat): string => `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;

async function main(): Promise<void> {
  ensureWrk();
  const benchStarted = Date.now();
  log(`Seeding ${USERS} users on ${SERVER} ...`);
  const { url, seeded, seedSeconds } = await prepareDatabase();
  log(`Seeded in ${seedSeconds.toFixed(0)} s`);
  const restoreBufferPool = await sizeBufferPool(url);
  const measuredFrom = Date.now();
  let service = await startService(serviceEnv(url), 120_000);
  const rssAtStart = (await rssKiB(service.pid)) / 1024;
  try {
    const on = (path: string): string => `${service.url}${path}`;
    const bare = (connections: number) => () => load({ url: on('/health/live'), connections, seconds: SECONDS });

    const hash = await argon2.hash(PASSWORD, { type: argon2.argon2id, ...ARGON2 });
    const loginBodies = Array.from({ length: 5000 }, (_, i) =>
      JSON.stringify({ username: benchUsername(i + 2), password: PASSWORD }),
    );
    const loginLoad = (seconds: number): Promise<WrkResult> =>
      load({ url: on('/api/v1/auth/login'), method: 'POST', bodies: loginBodies, connections: 8, seconds });
    const logins = async (algorithm: string): Promise<void> => {
      log(`logins (${algorithm}) ...`);
      await loginLoad(LOGIN_WARMUP_SECONDS);
      const result = await bracketed(
        async () => (await loginLoad(SECONDS)).rate,
        () => rawRate(['argon2', hash, PASSWORD, String(HASH_CONCURRENCY), String(SECONDS / 2)]),
      );
      addRow(
        {
          work: `password logins (argon2id m=19456 t=2 p=1, ${algorithm} tokens), 8 connections`,
          metric: 'logins/s',
          baselineName: `raw argon2.verify/s, concurrency ${HASH_CONCURRENCY}, before and after`,
          target: '≥ 85% of raw; ≥ 30/s per core',
        },
        result.values,
        result.baselines,
        (v, r) => r.median >= 0.85 && v.median / CORES >= 30,
      );
    };
    await logins('RS256');

    // Every run spends refresh tokens of sessions of its own: a spent token presented again would end its session.
    let sessionUser = 10_000;
    const rotations = async (algorithm: string): Promise<void> => {
      log(`refresh rotations (${algorithm}) ...`);
      const result = await pairs(
        async () => {
          const tokens: string[] = [];
          for (let i = 0; i < 48; i++) {
            tokens.push((await login(service, benchUsername(sessionUser++), PASSWORD)).refreshToken);
          }
          return (
            await load({
              url: on('/api/v1/auth/refresh'),
              method: 'POST',
              refreshTokens: tokens,
              connections: 16,
              seconds: SECONDS,
            })
          ).rate;
        },
        () => Promise.resolve(rawRate(['sign', algorithm, String(SECONDS)])),
      );
      addRow(
        {
          work: `refresh-token rotations (${algorithm}), 16 connections`,
          metric: 'rotations/s',
          baselineName: `raw ${algorithm} signs/s, one thread`,
          target: '≥ 600/s per core',
        },
        result.values,
        result.baselines,
        (v) => v.median / CORES >= 600,
      );
    };
    await rotations('RS256');
    // The rest of the run on ES256 keys (JWT_ALGORITHM): signing costs a fraction of RS256's; logins are measured
    // again to show what the signature weighs in a login.
    await service.stop();
    service = await startService(serviceEnv(url, { JWT_ALGORITHM: 'ES256' }), 120_000);
    await logins('ES256');
    await rotations('ES256');

    const admin = (await login(service, ADMIN.username, ADMIN.password)).accessToken;
    const client = (await login(service, seeded.client.username, seeded.client.password)).accessToken;
    const asAdmin = { authorization: `Bearer ${admin}` };

    log('GET /users/{id} ...');
    const someUser = await call<{ items: { id: string }[] }>(service, 'GET', '/api/v1/users?limit=1', admin);
    const getUser = await pairs(
      () =>
        load({ url: on(`/api/v1/users/${someUser.items[0].id}`), headers: asAdmin, connections: 16, seconds: SECONDS }),
      bare(16),
    );
    const work = 'authenticated GET /users/{id}, 16 connections';
    const rates = (results: WrkResult[]) => results.map((r) => r.rate);
    const p = (percentile: 'p95' | 'p99') => (results: WrkResult[]) => results.map((r) => r[percentile]);
    addRow(
      { work, metric: 'req/s', baselineName: 'GET /health/live req/s', target: 'rate reported as ratio' },
      rates(getUser.values),
      rates(getUser.baselines),
      () => true,
    );
    addRow(
      { work, metric: 'p99 ms', baselineName: 'GET /health/live p99 ms', target: 'p99 < 10 ms' },
      p('p99')(getUser.values),
      p('p99')(getUser.baselines),
      (v) => v.median < 10,
    );

    log('POST /authz/check ...');
    const checks = [
      { userId: seeded.authzUserId, permission: 'resources.read', resource: 'project:198' },
      { userId: seeded.authzUserId, permission: 'resources.remove', resource: 'project:nowhere' },
    ].map((body) => JSON.stringify(body));
    const authz = await pairs(
      () =>
        load({
          url: on('/api/v1/authz/check'),
          method: 'POST',
          headers: { authorization: `Bearer ${client}` },
          bodies: checks,
          connections: 16,
          seconds: SECONDS,
        }),
      bare(16),
    );
    const authzWork = `POST /authz/check, user in ${seeded.authzGroups} groups / ${seeded.authzAssignments} assignments (allowed and denied alternately), 16 connections`;
    addRow(
      { work: authzWork, metric: 'p99 ms', baselineName: 'GET /health/live p99 ms', target: 'p99 < 5 ms' },
      p('p99')(authz.values),
      p('p99')(authz.baselines),
      (v) => v.median < 5,
    );
    addRow(
      { work: authzWork, metric: 'checks/s', baselineName: 'GET /health/live req/s', target: 'rate reported as ratio' },
      rates(authz.values),
      rates(authz.baselines),
      () => true,
    );

    const p95Row = async (label: string, path: string, goal: string, limit: number): Promise<void> => {
      const r = await pairs(() => load({ url: on(path), headers: asAdmin, connections: 4, seconds: SECONDS }), bare(4));
      addRow(
        { work: label, metric: 'p95 ms', baselineName: 'GET /health/live p95 ms', target: goal },
        p('p95')(r.values),
        p('p95')(r.baselines),
        (v) => v.median < limit,
      );
    };

    log('user search ...');
    const target = benchUsername(654_321 % USERS || 2);
    const search = (label: string): string => `user search over ${USERS} users: ${label}, 4 connections`;
    await p95Row(
      search('exact username (usernamePrefix)'),
      `/api/v1/users?usernamePrefix=${encodeURIComponent(target)}`,
      'p95 < 5 ms',
      5,
    );
    await p95Row(
      search('username prefix (usernamePrefix)'),
      `/api/v1/users?usernamePrefix=${encodeURIComponent(target.slice(0, -3))}`,
      'p95 < 5 ms',
      5,
    );
    await p95Row(
      search('exact username (search, substring semantics)'),
      `/api/v1/users?search=${encodeURIComponent(target)}`,
      'p95 < 100 ms',
      100,
    );
    await p95Row(search('rare substring (search=.4242)'), '/api/v1/users?search=.4242', 'p95 < 100 ms', 100);
    await p95Row(search('common substring (search=smith)'), '/api/v1/users?search=smith', 'p95 < 100 ms', 100);

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
    const p95OfPage = async (seconds: number, cursor?: string): Promise<number> =>
      (
        await load({
          url: on(`/api/v1/users?limit=200${cursor ? `&cursor=${cursor}` : ''}`),
          headers: asAdmin,
          connections: 4,
          seconds,
        })
      ).p95;
    const deepCursor = encodeCursor([deepPosition.k, deepPosition.id]);
    await p95OfPage(SECONDS, deepCursor);
    // Two ranges of the same index, compared: page 1 right before and right after each run of page 5,000.
    const keyset = await bracketed(
      () => p95OfPage(SECONDS, deepCursor),
      () => p95OfPage(SECONDS / 2),
    );
    addRow(
      {
        work: 'keyset walk by username, 200 a page, 4 connections: page 5,000',
        metric: 'p95 ms',
        baselineName: 'page 1 p95 ms, before and after',
        target: 'within ±20% of page 1',
      },
      keyset.values,
      keyset.baselines,
      (_v, r) => r.median >= 0.8 && r.median <= 1.2,
    );

    log('group members ...');
    const members = `/api/v1/groups/${seeded.bigGroupId}/members?limit=50`;
    const group = (label: string): string => `group with ${BIG_GROUP} members: ${label}, 4 connections`;
    await p95Row(group('member page 1'), members, 'p95 < 10 ms', 10);
    await p95Row(
      group('last member page'),
      `${members}&cursor=${encodeCursor([memberPosition.k, memberPosition.id])}`,
      'p95 < 10 ms',
      10,
    );
    await p95Row(group('GET /groups/{id} (memberCount)'), `/api/v1/groups/${seeded.bigGroupId}`, 'p95 < 20 ms', 20);

    const rss = (await rssKiB(service.pid)) / 1024;
    rows.push({
      work: `service memory after the whole run (when ready: ${rssAtStart.toFixed(0)} MiB)`,
      metric: 'RSS MiB',
      value: { median: rss, min: rss, max: rss },
      baselineName: '-',
      baseline: { median: NaN, min: NaN, max: NaN },
      ratio: { median: NaN, min: NaN, max: NaN },
      target: 'RSS < 200 MB',
      met: rss * 1024 * 1024 < 200e6,
    });
  } finally {
    await service.stop();
    await restoreBufferPool();
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
    '| work | metric | median (min–max) | baseline | baseline median (min–max) | ratio median (min–max) | target | met |',
  );
  log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const noBaseline = Number.isNaN(r.baseline.median);
    log(
      `| ${r.work} | ${r.metric} | ${fmtStat(r.value)} | ${r.baselineName} | ${noBaseline ? '-' : fmtStat(r.baseline)} | ${noBaseline ? '-' : fmtStat(r.ratio)} | ${r.target} | ${r.met ? 'yes' : 'NO'} |`,
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
