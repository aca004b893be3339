import { randomUUID } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { ADMIN } from '../helpers/admin';
import { fetchWithin, loginOver, ServiceProcess, sleep, startService } from '../helpers/service-process';
import { PrivateMariaDb } from '../helpers/mariadb-process';
import { problemDefect } from './contract';

/**
 * The database dies under write load (SIGKILL of a private mariadbd) and comes back on the same data directory.
 * Requests fail fast with 503 problem+json, readiness reports it, the service recovers without a restart, and
 * every write acknowledged with a 2xx is still there. The load is user creations (TypeORM transactions) and logins
 * (a prepared read, then one multi-statement transaction on a pool of its own).
 */
const TIMEOUT_MS = 1_000;
/** How long a request may take while the database is gone: the connect timeout plus scheduling slack. */
const FAIL_FAST_MS = TIMEOUT_MS + 2_000;
const WORKERS = 4;
const LOGIN_WORKERS = 2;
const HANG_MS = 5_000;

interface Outcome {
  phase: 'before' | 'outage' | 'after';
  status: number;
  ms: number;
  defect?: string;
}

/** The session id (`sid`) of an access token. */
function sessionOf(accessToken: string): string {
  return (JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()) as { sid: string }).sid;
}

/**
 * Logs in as the administrator once: 200 with its session id, or a problem+json answer (any defect noted).
 */
async function loginOnce(url: string, phase: Outcome['phase'], timeoutMs: number): Promise<Outcome & { sid?: string }> {
  const started = Date.now();
  try {
    const response = await fetchWithin(
      `${url}/api/v1/auth/login`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: ADMIN.username, password: ADMIN.password }),
      },
      timeoutMs,
    );
    const text = await response.text();
    const ms = Date.now() - started;
    if (response.status === 200) {
      return { phase, status: 200, ms, sid: sessionOf((JSON.parse(text) as { accessToken: string }).accessToken) };
    }
    const defect = problemDefect(response.status, response.headers.get('content-type') ?? undefined, text);
    return { phase, status: response.status, ms, defect };
  } catch (error) {
    return { phase, status: -1, ms: Date.now() - started, defect: `no answer: ${(error as Error).message}` };
  }
}

describe('database faults (private MariaDB, killed and restarted)', () => {
  let db: PrivateMariaDb;
  let service: ServiceProcess | undefined;
  let token: string;

  beforeAll(async () => {
    db = new PrivateMariaDb();
    await db.install();
    service = await startService({ DATABASE_URL: db.url, DATABASE_TIMEOUT_MS: String(TIMEOUT_MS) });
    token = (await loginOver(service.url)).accessToken;
  }, 180_000);

  afterAll(async () => {
    await service?.stop(5_000);
    await db?.destroy();
  }, 30_000);

  it('fails fast with 503 while the database is down, recovers by itself and loses no acknowledged write', async () => {
    const url = service!.url;
    const acknowledged: string[] = [];
    const outcomes: Outcome[] = [];
    let phase: Outcome['phase'] = 'before';
    let running = true;

    async function createOne(): Promise<void> {
      const started = Date.now();
      const current = phase;
      let status = 0;
      let defect: string | undefined;
      try {
        const response = await fetchWithin(
          `${url}/api/v1/users`,
          {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({
              username: `load-${randomUUID()}`,
              password: 'Fault injection pass phrase',
              confirmPassword: 'Fault injection pass phrase',
            }),
          },
          15_000,
        );
        status = response.status;
        const text = await response.text();
        if (status === 201) {
          acknowledged.push((JSON.parse(text) as { id: string }).id);
        } else {
          defect = problemDefect(status, response.headers.get('content-type') ?? undefined, text);
        }
      } catch (error) {
        defect = `no answer: ${(error as Error).message}`;
      }
      outcomes.push({ phase: current, status, ms: Date.now() - started, defect });
    }

    const logins: (Outcome & { sid?: string })[] = [];
    const workers = [
      ...Array.from({ length: WORKERS }, async () => {
        // Bounded: stops when told, and in any case after 2,000 requests per worker.
        for (let i = 0; running && i < 2_000; i++) {
          await createOne();
          if (phase === 'outage') {
            await sleep(50);
          }
        }
      }),
      ...Array.from({ length: LOGIN_WORKERS }, async () => {
        for (let i = 0; running && i < 2_000; i++) {
          logins.push(await loginOnce(url, phase, 15_000));
          if (phase === 'outage') {
            await sleep(50);
          }
        }
      }),
    ];

    await sleep(2_000);
    phase = 'outage';
    const killedAt = Date.now();
    await db.kill();

    // Readiness must notice within a couple of seconds, and answer quickly itself.
    let readyStatus = 0;
    let readyMs = 0;
    for (let i = 0; i < 20 && readyStatus !== 503; i++) {
      const started = Date.now();
      readyStatus = (await fetchWithin(`${url}/health/ready`, {}, 10_000)).status;
      readyMs = Date.now() - started;
      await sleep(100);
    }
    await sleep(3_000);

    const restartedAt = Date.now();
    await db.start();
    phase = 'after';
    let recoveredMs = -1;
    for (let i = 0; i < 150; i++) {
      if ((await fetchWithin(`${url}/health/ready`, {}, 5_000)).status === 200) {
        recoveredMs = Date.now() - restartedAt;
        break;
      }
      await sleep(200);
    }
    const ackBeforeRecovery = acknowledged.length;
    await sleep(2_000);
    running = false;
    await Promise.all(workers);

    const during = outcomes.filter((o) => o.phase === 'outage');
    const after = outcomes.filter((o) => o.phase === 'after');
    const slowest = Math.max(0, ...during.map((o) => o.ms));
    const loginsDuring = logins.filter((o) => o.phase === 'outage');
    const summary = {
      requests: outcomes.length,
      acknowledged: acknowledged.length,
      byStatus: outcomes.reduce<Record<string, number>>(
        (acc, o) => ({ ...acc, [o.status]: (acc[o.status] ?? 0) + 1 }),
        {},
      ),
      outageRequests: during.length,
      outageSlowestMs: slowest,
      outageSeconds: (restartedAt - killedAt) / 1000,
      readyStatusDuringOutage: readyStatus,
      readyMsDuringOutage: readyMs,
      recoveredMsAfterRestart: recoveredMs,
      logins: logins.reduce<Record<string, number>>((acc, o) => ({ ...acc, [o.status]: (acc[o.status] ?? 0) + 1 }), {}),
      loginOutageSlowestMs: Math.max(0, ...loginsDuring.map((o) => o.ms)),
    };

    // Every acknowledged write survived the crash: the users created and the sessions of the logins answered 200.
    const connection = await createConnection({ host: '127.0.0.1', port: db.port, user: 'root', database: 'roster' });
    const [rows] = await connection.query<import('mysql2').RowDataPacket[]>('SELECT id FROM users');
    const [sessionRows] = await connection.query<import('mysql2').RowDataPacket[]>('SELECT id FROM sessions');
    await connection.end();
    const present = new Set(rows.map((r) => r.id as string));
    const lost = acknowledged.filter((id) => !present.has(id));
    const sessions = new Set(sessionRows.map((r) => r.id as string));
    const lostSessions = logins.filter((o) => o.sid && !sessions.has(o.sid));
    console.log(`database faults: ${JSON.stringify({ ...summary, verified: acknowledged.length - lost.length })}`);

    expect(outcomes.filter((o) => o.defect).map((o) => `${o.phase} ${o.status} ${o.defect}`)).toEqual([]);
    expect(outcomes.filter((o) => o.status !== 201 && o.status !== 503)).toEqual([]);
    expect(during.filter((o) => o.status === 503).length).toBeGreaterThan(0);
    expect(slowest).toBeLessThanOrEqual(FAIL_FAST_MS);
    expect(readyStatus).toBe(503);
    expect(readyMs).toBeLessThanOrEqual(FAIL_FAST_MS);
    expect(recoveredMs).toBeGreaterThanOrEqual(0);
    expect(after.filter((o) => o.status === 201).length).toBeGreaterThan(0);
    expect(acknowledged.length).toBeGreaterThan(ackBeforeRecovery - 1);
    expect(lost).toEqual([]);
    expect(logins.filter((o) => o.defect).map((o) => `${o.phase} ${o.status} ${o.defect}`)).toEqual([]);
    expect(logins.filter((o) => o.status !== 200 && o.status !== 503)).toEqual([]);
    expect(loginsDuring.filter((o) => o.status === 503).length).toBeGreaterThan(0);
    expect(Math.max(0, ...loginsDuring.map((o) => o.ms))).toBeLessThanOrEqual(FAIL_FAST_MS);
    expect(logins.filter((o) => o.phase === 'after' && o.status === 200).length).toBeGreaterThan(0);
    expect(lostSessions).toEqual([]);
  }, 150_000);
  it('answers within the timeout while the database hangs (SIGSTOP), and recovers when it resumes', async () => {
    const url = service!.url;
    const acknowledged: string[] = [];
    const outcomes: Outcome[] = [];
    let phase: Outcome['phase'] = 'before';
    let running = true;
    const worker = async (): Promise<void> => {
      for (let i = 0; running && i < 500; i++) {
        const started = Date.now();
        const current = phase;
        let status = 0;
        try {
          const response = await fetchWithin(
            `${url}/api/v1/users`,
            {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify({
                username: `hang-${randomUUID()}`,
                password: 'Fault injection pass phrase',
                confirmPassword: 'Fault injection pass phrase',
              }),
            },
            20_000,
          );
          status = response.status;
          const body = (await response.json()) as { id?: string };
          if (status === 201 && body.id) {
            acknowledged.push(body.id);
          }
        } catch {
          status = -1;
        }
        outcomes.push({ phase: current, status, ms: Date.now() - started });
        await sleep(100);
      }
    };
    const logins: Outcome[] = [];
    const loginWorker = async (): Promise<void> => {
      for (let i = 0; running && i < 500; i++) {
        logins.push(await loginOnce(url, phase, 20_000));
        await sleep(50);
      }
    };
    const workers = [...Array.from({ length: WORKERS }, worker), ...Array.from({ length: LOGIN_WORKERS }, loginWorker)];
    await sleep(1_000);
    phase = 'outage';
    db.freeze();
    await sleep(HANG_MS);
    db.thaw();
    phase = 'after';
    await sleep(3_000);
    running = false;
    await Promise.all(workers);

    const during = outcomes.filter((o) => o.phase === 'outage');
    const slowest = Math.max(0, ...during.map((o) => o.ms));
    const loginsDuring = logins.filter((o) => o.phase === 'outage');
    console.log(
      `database hang: ${JSON.stringify({
        requests: outcomes.length,
        outageRequests: during.length,
        outageStatuses: during.map((o) => `${o.status}/${o.ms}ms`),
        outageSlowestMs: slowest,
        afterStatuses: outcomes.filter((o) => o.phase === 'after').map((o) => o.status),
        loginOutageStatuses: loginsDuring.map((o) => `${o.status}/${o.ms}ms`),
        loginAfterStatuses: logins.filter((o) => o.phase === 'after').map((o) => o.status),
      })}`,
    );
    const connection = await createConnection({ host: '127.0.0.1', port: db.port, user: 'root', database: 'roster' });
    const [rows] = await connection.query<import('mysql2').RowDataPacket[]>('SELECT id FROM users');
    await connection.end();
    const present = new Set(rows.map((r) => r.id as string));
    expect(acknowledged.filter((id) => !present.has(id))).toEqual([]);
    expect(outcomes.filter((o) => o.status !== 201 && o.status !== 503)).toEqual([]);
    // Every request answers within the timeout while the server hangs: a timed-out pooled connection is destroyed,
    // and a new one gives up on its handshake after connectTimeout.
    expect(during.filter((o) => o.status === 503).length).toBeGreaterThan(WORKERS);
    expect(slowest).toBeLessThanOrEqual(FAIL_FAST_MS);
    expect(outcomes.filter((o) => o.phase === 'after' && o.status === 201).length).toBeGreaterThan(0);
    expect(logins.filter((o) => o.defect).map((o) => `${o.phase} ${o.status} ${o.defect}`)).toEqual([]);
    expect(loginsDuring.filter((o) => o.status === 503).length).toBeGreaterThan(0);
    expect(Math.max(0, ...loginsDuring.map((o) => o.ms))).toBeLessThanOrEqual(FAIL_FAST_MS);
    expect(logins.filter((o) => o.phase === 'after' && o.status === 200).length).toBeGreaterThan(0);
  }, 120_000);
});
