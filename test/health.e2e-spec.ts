import { expectProblem, startTestApp, TestApp } from './helpers/test-app';

describe('health', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('reports live', async () => {
    await t.http.get('/health/live').expect(200);
  });

  it('reports ready when the database answers and every migration is applied', async () => {
    const response = await t.http.get('/health/ready').expect(200);
    expect(response.body.details).toEqual({ database: { status: 'up' }, migrations: { status: 'up' } });
  });

  it('reports not ready with 503 once the database is unreachable', async () => {
    await t.dataSource.destroy();
    const response = await t.http.get('/health/ready');
    const body = expectProblem(response, 503, 'service_unavailable');
    expect(body.checks).toMatchObject({ database: { status: 'down' } });
    await t.http.get('/health/live').expect(200);
    await t.dataSource.initialize();
    await t.http.get('/health/ready').expect(200);
  });
});
