import { randomBytes } from 'node:crypto';
import { ProblemException } from '../common/errors/problem.exception';
import { DirectorySecrets } from './directory-secrets';

const secrets = (key?: Buffer) => new DirectorySecrets({ secretKey: key, timeoutMs: 1000 });

describe('DirectorySecrets', () => {
  const key = randomBytes(32);

  it('round-trips a password and never stores it in clear', () => {
    const stored = secrets(key).encrypt('sécret pass', 'dir-1');
    expect(stored).toMatch(/^v1:/);
    expect(stored).not.toContain('sécret');
    expect(secrets(key).decrypt(stored, 'dir-1')).toBe('sécret pass');
    expect(secrets(key).encrypt('sécret pass', 'dir-1')).not.toBe(stored);
  });

  it.each([
    ['another key', randomBytes(32), 'dir-1'],
    ['another directory', undefined, 'dir-2'],
  ])('refuses to decrypt with %s', (_, otherKey, directoryId) => {
    const stored = secrets(key).encrypt('pw', 'dir-1');
    expect(() => secrets(otherKey ?? key).decrypt(stored, directoryId)).toThrow(ProblemException);
  });

  it('answers 503 encryption_key_missing without a key', () => {
    expect(() => secrets(undefined).encrypt('pw', 'dir-1')).toThrow(
      expect.objectContaining({ code: 'encryption_key_missing' }) as Error,
    );
  });
});
