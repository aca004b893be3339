import { ProblemException } from './errors/problem.exception';

/** The ETag of a versioned resource: its version as a strong validator. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * Honours `If-Match`: absent or `*` always matches; otherwise one of the listed tags (weak or strong) must name the
 * current version, else 412 `precondition_failed`.
 */
export function assertIfMatch(ifMatch: string | undefined, version: number): void {
  if (ifMatch === undefined || ifMatch.trim() === '*') {
    return;
  }
  const current = etagOf(version);
  const tags = ifMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  if (!tags.includes(current)) {
    throw new ProblemException(
      412,
      'precondition_failed',
      'The resource has changed since you read it; read it again and retry.',
    );
  }
}
