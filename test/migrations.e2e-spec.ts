import { migrations } from '../src/database/migrations';
import { GroupMemberCount1764800000000 } from '../src/database/migrations/1764800000000-group-member-count';
import { UserSearchGrams1765100000000 } from '../src/database/migrations/1765100000000-user-search-grams';
import { createUser } from './factories/user.factory';
import { bearer, login, startTestApp, TestApp } from './helpers/test-app';

/** Migrations that change existing data, run down and up again on a database with rows in it. */
describe('migrations', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('group-member-count: reverting keeps the memberships, re-applying counts them into member_count', async () => {
    const admin = bearer((await login(t)).accessToken);
    const users = await Promise.all([createUser(t), createUser(t)]);
    const group = await t.http
      .post('/api/v1/groups')
      .set(admin)
      .send({ name: 'Counted', memberIds: users.map((u) => u.id) })
      .expect(201);
    const empty = await t.http.post('/api/v1/groups').set(admin).send({ name: 'Empty' }).expect(201);

    // Revert it and the migrations after it.
    const from = migrations.findIndex((m) => m.name === GroupMemberCount1764800000000.name);
    const reverted = migrations.slice(from).map((m) => m.name);
    for (let i = 0; i < reverted.length; i++) {
      await t.dataSource.undoLastMigration();
    }
    const columns = await t.dataSource.createQueryRunner().getTable('user_groups');
    expect(columns?.findColumnByName('member_count')).toBeUndefined();
    const members = 'SELECT COUNT(*) AS n FROM group_members WHERE group_id = ?';
    expect(Number((await t.dataSource.query(members, [group.body.id]))[0].n)).toBe(2);

    expect((await t.dataSource.runMigrations()).map((m) => m.name)).toEqual(reverted);
    const counted = await t.http.get(`/api/v1/groups/${group.body.id}`).set(admin).expect(200);
    expect(counted.body.memberCount).toBe(2);
    const stillEmpty = await t.http.get(`/api/v1/groups/${empty.body.id}`).set(admin).expect(200);
    expect(stillEmpty.body.memberCount).toBe(0);
  });

  it('user-search-grams: re-applying indexes the users already there, so search finds them', async () => {
    const admin = bearer((await login(t)).accessToken);
    const user = await createUser(t, { username: 'backfilled', fullName: 'Wilhelmina Quorn' });
    for (
      let i = 0;
      i < migrations.length - migrations.findIndex((m) => m.name === UserSearchGrams1765100000000.name);
      i++
    ) {
      await t.dataSource.undoLastMigration();
    }
    expect(await t.dataSource.createQueryRunner().hasTable('user_search_grams')).toBe(false);
    await t.dataSource.runMigrations();
    const [row] = await t.dataSource.query('SELECT COUNT(*) AS n FROM user_search_grams WHERE user_id = ?', [user.id]);
    expect(Number((row as { n: number | string }).n)).toBeGreaterThan(10);
    const found = await t.http.get('/api/v1/users').query({ search: 'quorn' }).set(admin).expect(200);
    expect(found.body.items.map((u: { username: string }) => u.username)).toEqual(['backfilled']);
  });
});
