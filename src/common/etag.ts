import { ProblemException } from './errors/problem.exception';

/** The strong ETag of a versioned resource. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * The version an `If-Match` header asks for: undefined when absent or `*`; a header naming no version we ever
 * issued can never match, so it is a 412 at once.
 */
export function versionFromIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') {
    return undefined;
  }
  const match = /^\s*(?:W\/)?"(\d{1,9})"\s*$/.exec(header);
  if (!match) {
    throw new ProblemException(412, 'precondition_failed', 'If-Match does not name a version of this resource.');
  }
  return Number(match[1]);
}

/** Honours `If-Match` against the current version: absent or `*` always passes, anything else must name it (412). */
export function assertIfMatch(header: string | undefined, version: number): void {
  const wanted = versionFromIfMatch(header);
  if (wanted !== undefined && wanted !== version) {
    throw new ProblemException(412, 'precondition_failed', 'The resource has changed since you read it.');
  }
}
