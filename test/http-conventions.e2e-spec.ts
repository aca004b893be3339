import { bearer, expectProblem, startTestApp, TestApp } from './helpers/test-app';

describe('HTTP conventions', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('answers an unknown route with a 404 problem', async () => {
    const response = await t.http.get('/api/v1/no-such-thing');
    expectProblem(response, 404, 'not_found');
  });

  it('answers a protected route without a token with a 401 problem', async () => {
    expectProblem(await t.http.get('/api/v1/permissions'), 401, 'unauthorized');
  });

  it('rejects a token that is not ours with 401', async () => {
    const response = await t.http.get('/api/v1/permissions').set(bearer('not.a.jwt'));
    expectProblem(response, 401, 'unauthorized');
  });

  it('answers a malformed body with a 400 validation problem listing each field', async () => {
    const response = await t.http.post('/api/v1/auth/login').send({ username: 42 });
    const body = expectProblem(response, 400, 'validation_failed');
    const fields = (body.errors as { field: string }[]).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['username', 'password']));
  });

  it('rejects unknown body fields with 400', async () => {
    const response = await t.http.post('/api/v1/auth/login').send({ username: 'a', password: 'b', isAdmin: true });
    const body = expectProblem(response, 400, 'validation_failed');
    expect(body.errors).toEqual([{ field: 'isAdmin', message: 'property isAdmin should not exist' }]);
  });

  it('answers invalid JSON with a 400 problem', async () => {
    const response = await t.http
      .post('/api/v1/auth/login')
      .set('content-type', 'application/json')
      .send('{"username":');
    expectProblem(response, 400, 'bad_request');
  });

  it('answers a body that is not an object with a 400 problem', async () => {
    const response = await t.http.post('/api/v1/auth/login').set('content-type', 'application/json').send('[1,2]');
    expectProblem(response, 400, 'validation_failed');
  });

  it('answers an unsupported content type with a 415 problem', async () => {
    const response = await t.http.post('/api/v1/auth/login').set('content-type', 'text/plain').send('hello');
    expectProblem(response, 415, 'unsupported_media_type');
  });

  it('echoes a well-formed X-Request-Id and generates one otherwise', async () => {
    const given = await t.http.get('/health/live').set('x-request-id', 'trace-123');
    expect(given.headers['x-request-id']).toBe('trace-123');
    const generated = await t.http.get('/health/live').set('x-request-id', 'bad id with spaces');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY names the proxy, so a client cannot choose its address', async () => {
    await t.http
      .post('/api/v1/auth/login')
      .set('x-forwarded-for', '203.0.113.9')
      .send({ username: 'spoofer', password: 'whatever it is' })
      .expect(401);
    const rows: { ip: string }[] = await t.dataSource.query(
      "SELECT ip FROM audit_events WHERE action = 'auth.login' AND details LIKE '%spoofer%'",
    );
    expect(rows.map((r) => r.ip)).toEqual([expect.stringMatching(/127\.0\.0\.1|::1/)]);
  });

  it('serves Swagger UI at /docs and the document at /docs-json', async () => {
    const ui = await t.http.get('/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
    const document = await t.http.get('/docs-json').expect(200);
    expect(document.body.openapi).toMatch(/^3\./);
    expect(Object.keys(document.body.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/login', '/health/ready']));
  });
});
