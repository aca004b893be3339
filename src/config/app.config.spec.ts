import { parseTrustProxy } from './app.config';

describe('TRUST_PROXY', () => {
  it.each([
    [undefined, false],
    ['false', false],
    ['true', true],
    ['1', 1],
    ['10.0.0.0/8, 192.168.1.10', ['10.0.0.0/8', '192.168.1.10']],
  ])('reads %p as %p', (value, expected) => {
    expect(parseTrustProxy(value)).toEqual(expected);
  });
});
