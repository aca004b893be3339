// In-process pipeline cost: node inject.js  (env as svc.sh). CPU µs per request for routes via fastify.inject, 16 in flight
process.env.DATABASE_URL ??= 'mysql://root@127.0.0.1:3306/roster_bench';
Object.assign(process.env, { LOG_LEVEL: 'warn', BOOTSTRAP_ADMIN_PASSWORD: 'Bench admin password 1', ARGON2_MEMORY_KIB: '19456', ARGON2_TIME_COST: '2', ACCESS_TOKEN_TTL_SECONDS: '36000', LOGIN_IP_MAX_ATTEMPTS: '1000000' });
const { createApp } = require('/work/main/dist/app.setup');
(async () => {
  const app = await createApp(); await app.init(); const f = app.getHttpAdapter().getInstance(); await f.ready();
  const login = async (u, p) => JSON.parse((await f.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: u, password: p } })).body).accessToken;
  const admin = await login('admin', 'Bench admin password 1'); const client = await login('bench-client', 'Bench password for everyone 1');
  const uid = require('fs').readFileSync('/tmp/exp/uid', 'utf8').trim();
  const routes = {
    live: { method: 'GET', url: '/health/live' },
    permissions: { method: 'GET', url: '/api/v1/permissions', headers: { authorization: `Bearer ${admin}` } },
    user: { method: 'GET', url: `/api/v1/users/${uid}`, headers: { authorization: `Bearer ${admin}` } },
    authz: { method: 'POST', url: '/api/v1/authz/check', headers: { authorization: `Bearer ${client}` }, payload: { userId: 'b0000001-0000-4000-8000-000000000001', permission: 'resources.read', resource: 'project:198' } },
  };
  const only = process.argv.slice(2);
  for (const [name, req] of Object.entries(routes)) {
    if (only.length && !only.includes(name)) continue;
    const run = async (n) => { let i = 0; await Promise.all(Array.from({ length: 16 }, async () => { while (i++ < n) { const r = await f.inject(req); if (r.statusCode >= 300) throw new Error(name + ' ' + r.statusCode + r.body); } })); };
    await run(3000);
    const results = [];
    for (let k = 0; k < 3; k++) { const c0 = process.cpuUsage(); const t0 = Date.now(); await run(5000); const c = process.cpuUsage(c0); results.push([(c.user + c.system) / 5000, 5000 / (Date.now() - t0) * 1000]); }
    results.sort((a, b) => a[0] - b[0]);
    console.log(`${name}: ${results.map(r => r[0].toFixed(0)).join('/')} us cpu/req (median ${results[1][0].toFixed(0)}), ${results[1][1].toFixed(0)} req/s`);
  }
  await app.close();
})();
