/** Opaque keyset cursors: the position after the last item of a page, as base64url JSON. */
import { ValidationError } from '../../shared/errors.js';

export function encodeCursor(position: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === arity && value.every((v) => typeof v === 'string' || typeof v === 'number')) return value;
  } catch {
    // fall through: a cursor we did not issue
  }
  throw new ValidationError('cursor: not a cursor returned by this API', [{ in: 'query', path: 'cursor', message: 'invalid cursor' }]);
}
