import { ProblemException } from '../errors/problem.exception';

export type CursorValue = string | number | null;

/** Cursors are opaque to clients: the keyset position of the last row, as base64url JSON. */
export function encodeCursor(position: CursorValue[]): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/** Decodes a cursor made by `encodeCursor` with `length` values; anything else is the client's error (400). */
export function decodeCursor(cursor: string, length: number): CursorValue[] {
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    position = undefined;
  }
  const valid =
    Array.isArray(position) &&
    position.length === length &&
    position.every((v) => v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)));
  if (!valid) {
    throw ProblemException.badRequest('invalid_cursor', 'The cursor is not valid for this list.', [
      {
        field: 'cursor',
        message: 'must be a nextCursor returned by this list',
      },
    ]);
  }
  return position as CursorValue[];
}
