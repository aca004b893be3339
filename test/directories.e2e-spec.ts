import { randomBytes, randomUUID } from 'node:crypto';
import { PREDEFINED_ROLES } from '../src/roles/permissions';
import { sqlTimestamp } from '../src/database/sql-time';
import { createUser } from './factories/user.factory';
import { inconsistencies } from './helpers/consistency';
import { BASE_DN, freePort, LdifEntry, ROOT_DN, ROOT_PASSWORD, Slapd, startSlapd } from './helpers/slapd';
import { bearer, expectProblem, login, startTestApp, TestApp } from './helpers/test-app';

const PEOPLE = `ou=people,${BASE_DN}`;
const GROUPS = `ou=groups,${BASE_DN}`;
const dn = (uid: string): string => `uid=${uid},${PEOPLE}`;
const ENGINEERS = `cn=engineers,${GROUPS}`;
const NO_UID = `cn=No Uid,${PEOPLE}`;
const pw = (uid: string): string => `${uid} ldap passphrase`;

const person = (uid: string, cn: string, extra: Record<string, string> = {}): LdifEntry => ({
  dn: dn(uid),
  objectClass: 'inetOrgPerson',
  uid,
  cn,
  sn: cn.split(' ').pop() ?? cn,
  userPassword: pw(uid),
  ...extra,
});

const SEED: LdifEntry[] = [
  { dn: BASE_DN, objectClass: ['dcObject', 'organization'], dc: 'example', o: 'Example' },
  { dn: PEOPLE, objectClass: 'organizationalUnit', ou: 'people' },
  { dn: GROUPS, objectClass: 'organizationalUnit', ou: 'groups' },
  person('jose', 'José Núñez', {
    mail: 'jose@example.com',
    telephoneNumber: '+34 600 000 000',
    departmentNumber: 'Ingeniería',
  }),
  person('alice', 'Alice Liddell', { mail: 'alice@example.com', departmentNumber: 'Research' }),
  person('bob', 'Bob'),
  person('carol', 'Carol Newcomer', { mail: 'carol@example.com' }),
  person('dave', 'Dave Directory', { mail: 'dave@ldap.example.com' }),
  person('erin', 'Erin From LDAP', { mail: 'erin@ldap.example.com' }),
  { dn: NO_UID, objectClass: 'inetOrgPerson', cn: 'No Uid', sn: 'Uid' },
  {
    dn: ENGINEERS,
    objectClass: 'groupOfNames',
    cn: 'engineers',
    description: 'The engineers',
    member: [dn('jose'), dn('alice')],
  },
];

describe('directories (against a real OpenLDAP server)', () => {
  let slapd: Slapd;
  let t: TestApp;
  let admin: string;
  let directoryId: string;

  const api = (method: 'get' | 'post' | 'patch' | 'delete', path: string, token = admin) =>
    t.http[method](`/api/v1${path}`).set(bearer(token));
  const directoryBody = (extra: Record<string, unknown> = {}) => ({
    name: 'Corporate LDAP',
    domain: 'corp',
    url: slapd.url,
    bindDn: ROOT_DN,
    bindPassword: ROOT_PASSWORD,
    baseDn: BASE_DN,
    ...extra,
  });
  const userByName = async (username: string): Promise<Record<string, unknown> | undefined> =>
    (
      await t.dataSource.query<Record<string, unknown>[]>(
        'SELECT id, type, directory_id AS directoryId, external_dn AS externalDn, full_name AS fullName, email, phone, department, enabled FROM users WHERE username_key = ?',
        [username],
      )
    )[0];
  const count = async (sql: string, params: unknown[] = []): Promise<number> =>
    Number((await t.dataSource.query<{ n: number | string }[]>(sql, params))[0].n);
  const groupMembers = async (groupId: string): Promise<string[]> =>
    (
      await t.dataSource.query<{ username: string }[]>(
        'SELECT u.username FROM group_members gm JOIN users u ON u.id = gm.user_id WHERE gm.group_id = ? ORDER BY u.username_key',
        [groupId],
      )
    ).map((r) => r.username);
  const ldapLogin = (username: string, password: string, domain?: string) =>
    t.http.post('/api/v1/auth/login').send({ username, password, ...(domain ? { domain } : {}) });

  beforeAll(async () => {
    slapd = await startSlapd(SEED);
    t = await startTestApp({
      env: { DIRECTORY_SECRET_KEY: randomBytes(32).toString('base64'), DIRECTORY_TIMEOUT_MS: '2000' },
    });
    admin = (await login(t)).accessToken;
  });

  afterAll(async () => {
    await t?.close();
    await slapd?.stop();
  });

  describe('configuration', () => {
    it('creates a directory with defaults; the bind password is encrypted, never returned, logged or audited', async () => {
      const response = await api('post', '/directories').send(directoryBody());
      expect(response.status).toBe(201);
      directoryId = response.body.id;
      expect(response.headers.location).toBe(`/api/v1/directories/${directoryId}`);
      expect(response.body).toEqual({
        id: expect.any(String),
        name: 'Corporate LDAP',
        domain: 'corp',
        url: slapd.url,
        bindDn: ROOT_DN,
        hasBindPassword: true,
        baseDn: BASE_DN,
        userFilter: '(objectClass=inetOrgPerson)',
        groupFilter: '(objectClass=groupOfNames)',
        attributes: {
          username: 'uid',
          fullName: 'cn',
          email: 'mail',
          phone: 'telephoneNumber',
          department: 'departmentNumber',
          member: 'member',
          groupName: 'cn',
        },
        createUsersOnLogin: false,
        defaultGroupId: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const [row] = await t.dataSource.query<{ secret: string }[]>(
        'SELECT bind_password_encrypted AS secret FROM directories WHERE id = ?',
        [directoryId],
      );
      expect(row.secret).toMatch(/^v1:/);
      expect(row.secret).not.toContain(ROOT_PASSWORD);
      const audit = await t.dataSource.query<{ details: string }[]>(
        "SELECT details FROM audit_events WHERE action LIKE 'directory.%'",
      );
      expect(audit).toHaveLength(1);
      expect(JSON.stringify(audit)).not.toContain(ROOT_PASSWORD);

      const read = await api('get', `/directories/${directoryId}`).expect(200);
      expect(JSON.stringify(read.body)).not.toContain(ROOT_PASSWORD);
      expect((await api('get', '/directories').expect(200)).body.items).toHaveLength(1);
    });

    it('rejects a taken domain, a malformed filter and unknown fields', async () => {
      expectProblem(await api('post', '/directories').send(directoryBody({ name: 'Other' })), 409, 'directory_taken');
      const bad = expectProblem(
        await api('post', '/directories').send(directoryBody({ name: 'x', domain: 'x', userFilter: '(uid=' })),
        400,
        'validation_failed',
      );
      expect(bad.errors).toEqual([{ field: 'userFilter', message: expect.any(String) }]);
      expectProblem(
        await api('post', '/directories').send(directoryBody({ name: 'y', domain: 'y', password: 'x' })),
        400,
        'validation_failed',
      );
    });

    it('updates settings with If-Match and keeps the stored password unless a new one is given', async () => {
      const read = await api('get', `/directories/${directoryId}`).expect(200);
      const patched = await api('patch', `/directories/${directoryId}`)
        .set('if-match', read.headers.etag)
        .send({ name: 'Corporate directory' })
        .expect(200);
      expect(patched.body).toMatchObject({ name: 'Corporate directory', hasBindPassword: true });
      expectProblem(
        await api('patch', `/directories/${directoryId}`).set('if-match', read.headers.etag).send({ name: 'z' }),
        412,
        'precondition_failed',
      );
    });

    it('needs server.configure', async () => {
      const user = await createUser(t, { roles: [PREDEFINED_ROLES.userManager] });
      const token = (await login(t, user.username, user.password)).accessToken;
      expectProblem(await api('get', '/directories', token), 403, 'forbidden');
    });
  });

  describe('search', () => {
    const search = (q: string | undefined, kind = 'users') =>
      api('get', `/directories/${directoryId}/search`).query(q === undefined ? { kind } : { kind, q });
    const uids = (body: { items: { name: string | null }[] }): (string | null)[] =>
      body.items.map((i) => i.name).sort((a, b) => String(a).localeCompare(String(b)));

    it('matches names with * wildcards and returns the mapped attributes', async () => {
      const response = await search('jo*').expect(200);
      expect(response.body).toEqual({
        items: [
          {
            dn: dn('jose'),
            kind: 'user',
            name: 'jose',
            fullName: 'José Núñez',
            email: 'jose@example.com',
            phone: '+34 600 000 000',
            department: 'Ingeniería',
            memberCount: null,
          },
        ],
        truncated: false,
      });
      expect(uids((await search('*').expect(200)).body)).toEqual(['alice', 'bob', 'carol', 'dave', 'erin', 'jose']);
      expect((await search(undefined).expect(200)).body.items).toHaveLength(7);
      expect(uids((await search('ALICE').expect(200)).body)).toEqual(['alice']);
    });

    it('takes an LDAP filter, ANDed with the directory user filter', async () => {
      expect(uids((await search('(mail=alice@example.com)').expect(200)).body)).toEqual(['alice']);
      expect((await search('(objectClass=groupOfNames)').expect(200)).body.items).toEqual([]);
      expectProblem(await search('(uid='), 400, 'validation_failed');
    });

    it.each(['*)(uid=*', 'admin)(|(uid=*', '*)(|(objectClass=*', 'jose)(mail=*', '\\2a', '*\\'])(
      'matches the name %p literally: no filter injection',
      async (q) => {
        expect((await search(q).expect(200)).body.items).toEqual([]);
      },
    );

    it('finds groups with their member count', async () => {
      const response = await search('eng*', 'groups').expect(200);
      expect(response.body.items).toEqual([
        expect.objectContaining({ dn: ENGINEERS, kind: 'group', name: 'engineers', memberCount: 2 }),
      ]);
      expectProblem(await search('x', 'people'), 400, 'validation_failed');
    });
  });

  describe('import and sync', () => {
    let roleSource: string;
    let erinId: string;
    let engineersId: string;

    it('imports users and groups with members, copies roles to new entries, fails bad entries alone', async () => {
      roleSource = (await createUser(t, { roles: [PREDEFINED_ROLES.resourceReviewer] })).id;
      erinId = (
        await createUser(t, {
          username: 'erin',
          fullName: 'Local Erin',
          password: 'erin local passphrase',
          roles: [PREDEFINED_ROLES.resourceManager],
        })
      ).id;
      const response = await api('post', `/directories/${directoryId}/import`)
        .send({
          users: [dn('jose'), dn('bob'), dn('erin'), NO_UID, `uid=ghost,${PEOPLE}`, 'not a dn'],
          groups: [ENGINEERS],
          copyRolesFrom: { type: 'user', id: roleSource },
        })
        .expect(200);
      const results = response.body.results as { dn: string; kind: string; status: string; id?: string }[];
      const byDn = Object.fromEntries(results.map((r) => [r.dn, r]));
      expect(byDn[dn('jose')]).toMatchObject({ kind: 'user', status: 'created', id: expect.any(String) });
      expect(byDn[dn('bob')]).toMatchObject({ status: 'created' });
      expect(byDn[dn('erin')]).toMatchObject({ status: 'updated', id: erinId });
      expect(byDn[dn('alice')]).toMatchObject({ kind: 'user', status: 'created' });
      expect(byDn[NO_UID]).toMatchObject({ status: 'failed', error: expect.stringContaining("'uid'") });
      expect(byDn[`uid=ghost,${PEOPLE}`]).toMatchObject({ status: 'failed' });
      expect(byDn['not a dn']).toMatchObject({ status: 'failed' });
      expect(byDn[ENGINEERS]).toMatchObject({ kind: 'group', status: 'created', id: expect.any(String) });
      engineersId = byDn[ENGINEERS].id!;

      expect(await userByName('jose')).toMatchObject({
        type: 'external',
        directoryId,
        externalDn: dn('jose'),
        fullName: 'José Núñez',
        email: 'jose@example.com',
        phone: '+34 600 000 000',
        department: 'Ingeniería',
      });
      expect(await userByName('bob')).toMatchObject({ fullName: 'Bob', email: null, phone: null, department: null });
      // C22: an existing (internal) username keeps its type and roles and only has its profile synchronised.
      expect(await userByName('erin')).toMatchObject({
        type: 'internal',
        directoryId: null,
        fullName: 'Erin From LDAP',
      });
      expect(await groupMembers(engineersId)).toEqual(['alice', 'jose']);
      const roles = (principalId: string) =>
        count('SELECT COUNT(*) AS n FROM role_assignments WHERE principal_id = ? AND role_id = ?', [
          principalId,
          PREDEFINED_ROLES.resourceReviewer,
        ]);
      expect(await roles(String((await userByName('jose'))!.id))).toBe(1);
      expect(await roles(engineersId)).toBe(1);
      expect(await roles(erinId)).toBe(0);
      expect(await count("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'directory.import'")).toBe(5);
    });

    it('re-import is idempotent: nothing new, roles kept and not duplicated', async () => {
      const users = await count('SELECT COUNT(*) AS n FROM users');
      const assignments = await count('SELECT COUNT(*) AS n FROM role_assignments');
      const response = await api('post', `/directories/${directoryId}/import`)
        .send({ users: [dn('jose'), dn('erin')], groups: [ENGINEERS], copyRolesFrom: { type: 'user', id: roleSource } })
        .expect(200);
      expect(response.body.results.map((r: { status: string }) => r.status)).toEqual([
        'updated',
        'updated',
        'updated',
        'updated',
      ]);
      expect(await count('SELECT COUNT(*) AS n FROM users')).toBe(users);
      expect(await count('SELECT COUNT(*) AS n FROM role_assignments')).toBe(assignments);
      expect(await groupMembers(engineersId)).toEqual(['alice', 'jose']);
    });

    it('refuses more than 1000 entries', async () => {
      const many = Array.from({ length: 1001 }, (_, i) => `uid=u${i},${PEOPLE}`);
      expectProblem(
        await api('post', `/directories/${directoryId}/import`).send({ users: many }),
        400,
        'validation_failed',
      );
    });

    it('sync picks up LDAP-side changes; members removed in LDAP stay (C15)', async () => {
      slapd.modify(
        [
          `dn: ${dn('jose')}`,
          'changetype: modify',
          'replace: mail',
          'mail: jose.nunez@example.com',
          '-',
          'delete: telephoneNumber',
          '',
          `dn: ${ENGINEERS}`,
          'changetype: modify',
          'add: member',
          `member: ${dn('bob')}`,
          '-',
          'delete: member',
          `member: ${dn('alice')}`,
          '',
        ].join('\n'),
      );
      const response = await api('post', `/directories/${directoryId}/sync`).expect(200);
      const statuses = Object.fromEntries(
        (response.body.results as { dn: string; status: string }[]).map((r) => [r.dn, r.status]),
      );
      expect(statuses).toEqual({
        [dn('alice')]: 'updated',
        [dn('bob')]: 'updated',
        [dn('jose')]: 'updated',
        [ENGINEERS]: 'updated',
      });
      expect(await userByName('jose')).toMatchObject({ email: 'jose.nunez@example.com', phone: null });
      expect(await groupMembers(engineersId)).toEqual(['alice', 'bob', 'jose']);
      expect(await count("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'directory.sync'")).toBe(1);
      // A second sync changes nothing.
      await api('post', `/directories/${directoryId}/sync`).expect(200);
      expect(await groupMembers(engineersId)).toEqual(['alice', 'bob', 'jose']);
    });

    it('keeps external profiles read-only', async () => {
      const jose = String((await userByName('jose'))!.id);
      expectProblem(await api('patch', `/users/${jose}`).send({ fullName: 'X' }), 409, 'read_only_external');
    });
  });

  describe('login by LDAP bind', () => {
    it('logs an external user in with the directory password, with or without the domain', async () => {
      const tokens = (await ldapLogin('alice', pw('alice')).expect(200)).body;
      await api('get', '/me', tokens.accessToken).expect(200);
      await ldapLogin('ALICE', pw('alice'), 'corp').expect(200);
      await ldapLogin('alice', pw('alice'), 'CORP').expect(200);
    });

    it('refuses a wrong password, an unknown domain and an empty password with the same 401', async () => {
      expectProblem(await ldapLogin('alice', 'wrong password'), 401, 'invalid_credentials');
      expectProblem(await ldapLogin('alice', pw('alice'), 'elsewhere'), 401, 'invalid_credentials');
      expectProblem(await ldapLogin('admin', 'Adm1n password for the tests', 'corp'), 401, 'invalid_credentials');
      expectProblem(await ldapLogin('alice', ''), 400, 'validation_failed');
    });

    it('refuses a disabled external user even when LDAP accepts the password', async () => {
      const bob = String((await userByName('bob'))!.id);
      await api('post', `/users/${bob}/disable`).expect(200);
      expectProblem(await ldapLogin('bob', pw('bob')), 403, 'account_disabled');
      expectProblem(await ldapLogin('bob', 'wrong password'), 401, 'invalid_credentials');
    });

    it('does not create unknown users unless the directory says so', async () => {
      expectProblem(await ldapLogin('carol', pw('carol')), 401, 'invalid_credentials');
      expect(await userByName('carol')).toBeUndefined();
    });

    it('creates an unknown user on the first successful bind and joins the default group', async () => {
      const groupId = randomUUID();
      const now = sqlTimestamp();
      await t.dataSource.query(
        "INSERT INTO user_groups (id, name, name_key, description, type, created_at, updated_at, version) VALUES (?, 'Default Template', 'default template', NULL, 'internal', ?, ?, 1)",
        [groupId, now, now],
      );
      await api('patch', `/directories/${directoryId}`)
        .send({ createUsersOnLogin: true, defaultGroupId: groupId })
        .expect(200);
      expectProblem(await ldapLogin('carol', 'wrong password'), 401, 'invalid_credentials');
      expect(await userByName('carol')).toBeUndefined();
      expectProblem(await ldapLogin('nobody', 'whatever password'), 401, 'invalid_credentials');

      await ldapLogin('carol', pw('carol')).expect(200);
      expect(await userByName('carol')).toMatchObject({
        type: 'external',
        directoryId,
        externalDn: dn('carol'),
        fullName: 'Carol Newcomer',
        email: 'carol@example.com',
      });
      expect(await groupMembers(groupId)).toEqual(['carol']);
      await ldapLogin('carol', pw('carol')).expect(200);
      expect(await count("SELECT COUNT(*) AS n FROM users WHERE username_key = 'carol'")).toBe(1);
    });

    it('keeps the member count of every imported, synchronised and joined group true', async () => {
      expect(await count('SELECT COUNT(*) AS n FROM group_members')).toBeGreaterThan(0);
      expect(await inconsistencies(t.dataSource)).toEqual([]);
    });
  });

  describe('convert', () => {
    const convert = (id: string, body: object) => api('post', `/users/${id}/convert`).send(body);

    it('external → internal: keeps id, groups and roles; old tokens die; the local password works', async () => {
      const jose = String((await userByName('jose'))!.id);
      const old = (await ldapLogin('jose', pw('jose')).expect(200)).body.accessToken;
      const roles = await count('SELECT COUNT(*) AS n FROM role_assignments WHERE principal_id = ?', [jose]);
      const password = 'a brand new local passphrase';
      expectProblem(
        await convert(jose, { to: 'internal', password, confirmPassword: 'other' }),
        400,
        'validation_failed',
      );
      expectProblem(
        await convert(jose, { to: 'internal', password: 'password', confirmPassword: 'password' }),
        400,
        'validation_failed',
      );
      const response = await convert(jose, { to: 'internal', password, confirmPassword: password }).expect(200);
      expect(response.body).toMatchObject({ id: jose, username: 'jose', type: 'internal', directoryId: null });
      expectProblem(await api('get', '/me', old), 401, 'unauthorized');
      expectProblem(await ldapLogin('jose', pw('jose')), 401, 'invalid_credentials');
      await ldapLogin('jose', password).expect(200);
      expect(await count('SELECT COUNT(*) AS n FROM role_assignments WHERE principal_id = ?', [jose])).toBe(roles);
      expect(await count('SELECT COUNT(*) AS n FROM group_members WHERE user_id = ?', [jose])).toBe(1);
      expectProblem(
        await convert(jose, { to: 'internal', password, confirmPassword: password }),
        409,
        'already_internal',
      );
      await api('patch', `/users/${jose}`).send({ fullName: 'José (local)' }).expect(200);
    });

    it('internal → external: found in the directory by username; the local password stops working', async () => {
      const dave = await createUser(t, { username: 'dave', password: 'dave local passphrase' });
      const old = (await login(t, 'dave', dave.password)).accessToken;
      const response = await convert(dave.id, { to: 'external', directoryId }).expect(200);
      expect(response.body).toMatchObject({
        id: dave.id,
        type: 'external',
        directoryId,
        fullName: 'Dave Directory',
        email: 'dave@ldap.example.com',
      });
      expectProblem(await api('get', '/me', old), 401, 'unauthorized');
      expectProblem(await ldapLogin('dave', dave.password), 401, 'invalid_credentials');
      await ldapLogin('dave', pw('dave')).expect(200);
      const [row] = await t.dataSource.query<{ hash: string | null }[]>(
        'SELECT password_hash AS hash FROM users WHERE id = ?',
        [dave.id],
      );
      expect(row.hash).toBeNull();
      expectProblem(await convert(dave.id, { to: 'external', directoryId }), 409, 'already_external');
    });

    it('refuses a user the directory does not have, and an unknown directory', async () => {
      const zed = await createUser(t, { username: 'zed' });
      expectProblem(await convert(zed.id, { to: 'external', directoryId }), 409, 'not_in_directory');
      expectProblem(await convert(zed.id, { to: 'external', directoryId: randomUUID() }), 404, 'not_found');
      expectProblem(await convert(zed.id, { to: 'external' }), 400, 'validation_failed');
      expectProblem(await convert(zed.id, { to: 'sideways' }), 400, 'validation_failed');
      expect(await userByName('zed')).toMatchObject({ type: 'internal' });
    });
  });

  describe('a directory that cannot be used', () => {
    it('answers 502 directory_unavailable quickly for a closed port', async () => {
      const port = await freePort();
      const down = await api('post', '/directories')
        .send(directoryBody({ name: 'Down', domain: 'down', url: `ldap://127.0.0.1:${port}` }))
        .expect(201);
      const started = Date.now();
      expectProblem(
        await api('get', `/directories/${down.body.id}/search`).query({ kind: 'users', q: 'x' }),
        502,
        'directory_unavailable',
      );
      expectProblem(await api('post', `/directories/${down.body.id}/sync`), 502, 'directory_unavailable');
      expect(Date.now() - started).toBeLessThan(5000);
      await api('delete', `/directories/${down.body.id}`).expect(204);
    });

    it('answers 502 directory_bind_failed when the stored credentials are refused', async () => {
      const wrong = await api('post', '/directories')
        .send(directoryBody({ name: 'Wrong', domain: 'wrong', bindPassword: 'not the root password' }))
        .expect(201);
      expectProblem(
        await api('get', `/directories/${wrong.body.id}/search`).query({ kind: 'users' }),
        502,
        'directory_bind_failed',
      );
      await api('delete', `/directories/${wrong.body.id}`).expect(204);
    });

    it('refuses to delete a directory users come from', async () => {
      expectProblem(await api('delete', `/directories/${directoryId}`), 409, 'directory_in_use');
    });

    it('answers 502 for an external login when the directory server is stopped', async () => {
      await slapd.stop();
      const started = Date.now();
      expectProblem(await ldapLogin('alice', pw('alice')), 502, 'directory_unavailable');
      expectProblem(
        await api('get', `/directories/${directoryId}/search`).query({ kind: 'users' }),
        502,
        'directory_unavailable',
      );
      expect(Date.now() - started).toBeLessThan(5000);
      // Internal users are not affected.
      await login(t);
    });
  });
});

describe('directories without DIRECTORY_SECRET_KEY', () => {
  let t: TestApp;

  beforeAll(async () => {
    delete process.env.DIRECTORY_SECRET_KEY;
    t = await startTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('refuses to store a bind password with 503 encryption_key_missing', async () => {
    const admin = (await login(t)).accessToken;
    const response = await t.http.post('/api/v1/directories').set(bearer(admin)).send({
      name: 'LDAP',
      domain: 'ldap',
      url: 'ldap://127.0.0.1:1',
      bindDn: ROOT_DN,
      bindPassword: 'x',
      baseDn: BASE_DN,
    });
    expectProblem(response, 503, 'encryption_key_missing');
    expect(Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM directories'))[0].n)).toBe(0);
  });
});
