import { createUser } from './factories/user.factory';
import { login, startTestApp } from './helpers/test-app';

/** The algorithm and parameters of a PHC string such as `$argon2id$v=19$m=1024,t=1,p=1$salt$hash`. */
function parameters(phc: string): Record<string, string> {
  const [, algorithm, , params] = phc.split('$');
  return { algorithm, ...Object.fromEntries(params.split(',').map((kv) => kv.split('='))) };
}

describe('password hashing', () => {
  it('stores argon2id PHC strings and re-hashes on login when the configured parameters change', async () => {
    const first = await startTestApp({ env: { ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1' } });
    const user = await createUser(first);
    const hashOf = async (t: typeof first): Promise<string> =>
      (await t.dataSource.query('SELECT password_hash AS h FROM users WHERE id = ?', [user.id]))[0].h;
    expect(parameters(await hashOf(first))).toEqual({ algorithm: 'argon2id', m: '1024', t: '1', p: '1' });
    await first.app.close();

    const second = await startTestApp({
      database: first.database,
      env: { ARGON2_MEMORY_KIB: '2048', ARGON2_TIME_COST: '2' },
    });
    try {
      await login(second, user.username, user.password);
      expect(parameters(await hashOf(second))).toEqual({ algorithm: 'argon2id', m: '2048', t: '2', p: '1' });
      await login(second, user.username, user.password);
    } finally {
      await second.close();
      await first.database.drop();
    }
  });
});
