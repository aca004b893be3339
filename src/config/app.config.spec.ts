import { parseTrustProxy } from './app.config';
import { validateEnvironment } from './env.validation';

describe('TRUST_PROXY', () => {
  it.each([
    [undefined, false],
    ['false', false],
    ['true', true],
    ['10.0.0.0/8, 192.168.1.10', ['10.0.0.0/8', '192.168.1.10']],
  ])('reads %p as %p', (value, expected) => {
    expect(parseTrustProxy(value)).toEqual(expected);
  });

  it.each(['10.0.0.0/8', '127.0.0.1', '::1, 172.16.0.0/12', 'true'])('accepts %p', (value) => {
    expect(() => validateEnvironment({ TRUST_PROXY: value })).not.toThrow();
  });

  it.each(['1', '2', 'anyone'])('refuses %p: a hop count cannot tell a proxy from a client', (value) => {
    expect(() => validateEnvironment({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY/);
  });
});
