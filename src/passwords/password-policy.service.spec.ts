import { dictionary } from '@zxcvbn-ts/language-common';
import { PasswordPolicy } from './password-policy.service';

describe('PasswordPolicy', () => {
  const policy = new PasswordPolicy({ passwordMinLength: 8 } as never);

  it('accepts a long uncommon passphrase of any characters', () => {
    expect(policy.problems('correct horse battery staple', 'alice')).toEqual([]);
    expect(policy.problems('żółć gęślą jaźń', 'alice')).toEqual([]);
  });

  it('rejects passwords shorter than the minimum, counting characters', () => {
    expect(policy.problems('aB3$eF7', 'alice')).toEqual(['must be at least 8 characters long']);
    expect(policy.problems('😀😀😀😀😀😀😀😀', 'alice')).toEqual([]);
  });

  it('rejects passwords longer than 128 characters', () => {
    expect(policy.problems('x'.repeat(129) + 'Q', 'alice')).toContain('must be at most 128 characters long');
  });

  it('rejects common passwords whatever their case', () => {
    expect(policy.problems('password', 'alice')).toContain('is one of the most common passwords');
    expect(policy.problems('Baseball1', 'alice')).toContain('is one of the most common passwords');
    expect(policy.problems('QWERTYUIOP', 'alice')).toContain('is one of the most common passwords');
  });

  it('rejects the username as the password', () => {
    expect(policy.problems('Alice.Smith', 'alice.smith')).toContain('must not be the username');
  });

  it('ships a list of at least 10,000 common passwords', () => {
    expect(dictionary['passwords-common'].length).toBeGreaterThanOrEqual(10000);
  });
});
