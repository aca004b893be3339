import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.setup';
import { ADMIN } from './admin';
import { createTestDatabase, TestDatabase } from './test-database';

export { ADMIN };

/** Cheap argon2 parameters keep the suite fast; the production defaults are measured in test/bench. */
const TEST_ENV: Record<string, string> = {
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
  BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
  ARGON2_MEMORY_KIB: '1024',
  ARGON2_TIME_COST: '1',
};

export interface TestApp {
  app: NestFastifyApplication;
  http: ReturnType<typeof request>;
  dataSource: DataSource;
  database: TestDatabase;
  close(): Promise<void>;
}

/**
 * Boots the real application (same module, pipes, guards and filters as production) on a real database.
 * Pass `database` to start a second instance on the same database, as another replica would.
 */
export async function startTestApp(
  options: { env?: Record<string, string>; database?: TestDatabase } = {},
): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  Object.assign(process.env, TEST_ENV, { DATABASE_URL: database.url }, options.env);
  const app = await createApp();
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const ownsDatabase = !options.database;
  return {
    app,
    http: request(app.getHttpServer()),
    dataSource: app.get(DataSource),
    database,
    close: async () => {
      await app.close();
      if (ownsDatabase) {
        await database.drop();
      }
    },
  };
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

/** Logs in through the API and returns the token pair. */
export async function login(
  t: TestApp,
  username = ADMIN.username,
  password = ADMIN.password,
): Promise<{ accessToken: string; refreshToken: string }> {
  const response = await t.http.post('/api/v1/auth/login').send({ username, password }).expect(200);
  return response.body as { accessToken: string; refreshToken: string };
}

/** Asserts the RFC 9457 shape every error response has, and returns the body. */
export function expectProblem(response: request.Response, status: number, code: string): Record<string, unknown> {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({
    status,
    code,
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
  });
  expect(response.body.requestId).toBe(response.headers['x-request-id']);
  return response.body as Record<string, unknown>;
}
