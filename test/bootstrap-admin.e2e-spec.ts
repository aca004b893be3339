import { ADMIN, bearer, login, startTestApp } from './helpers/test-app';

describe('bootstrap administrator', () => {
  it('is created once on a first start, with the three administrative roles, and can log in', async () => {
    const first = await startTestApp();
    try {
      const rows: { id: string }[] = await first.dataSource.query('SELECT id FROM users');
      expect(rows).toHaveLength(1);
      const roles: { name: string }[] = await first.dataSource.query(
        `SELECT r.name AS name FROM role_assignments ra JOIN roles r ON r.id = ra.role_id WHERE ra.principal_id = ? AND ra.scope_key = '*' ORDER BY r.name`,
        [rows[0].id],
      );
      expect(roles.map((r) => r.name)).toEqual(['Security Manager', 'Server Administrator', 'User Manager']);

      const tokens = await login(first, ADMIN.username.toUpperCase(), ADMIN.password);
      await first.http.get('/api/v1/permissions').set(bearer(tokens.accessToken)).expect(200);

      // A restart (or a second replica) on the same database creates no second administrator.
      const second = await startTestApp({ database: first.database });
      await second.app.close();
      expect(await first.dataSource.query('SELECT id FROM users')).toHaveLength(1);
    } finally {
      await first.close();
    }
  });
});
