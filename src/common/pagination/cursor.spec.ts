import { ProblemException } from '../errors/problem.exception';
import { decodeCursor, encodeCursor } from './cursor';

describe('cursor codec', () => {
  it('round-trips a keyset position', () => {
    const position = ['josé', 42, null];
    expect(decodeCursor(encodeCursor(position), 3)).toEqual(position);
  });

  it.each([
    ['not base64 json', 'Zm9v!!'],
    ['a JSON object', Buffer.from('{"a":1}').toString('base64url')],
    ['the wrong length', encodeCursor(['a'])],
    ['a nested value', Buffer.from('[["x"],1]').toString('base64url')],
  ])('rejects %s with invalid_cursor', (_what, cursor) => {
    expect(() => decodeCursor(cursor, 2)).toThrow(ProblemException);
    try {
      decodeCursor(cursor, 2);
    } catch (error) {
      expect((error as ProblemException).code).toBe('invalid_cursor');
    }
  });
});
