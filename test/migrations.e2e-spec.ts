import { migrations } from '../src/database/migrations';
import { GroupMemberCount1764800000000 } from '../src/database/migrations/1764800000000-group-member-count';
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
});
