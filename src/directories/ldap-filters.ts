import { AndFilter, EqualityFilter, Filter, FilterParser, PresenceFilter, SubstringFilter } from 'ldapts';
import { ProblemException } from '../common/errors/problem.exception';

/** Parses a filter from configuration or a request; a malformed one is a 400 naming `field`. */
export function parseFilter(text: string, field: string): Filter {
  try {
    return FilterParser.parseString(text);
  } catch {
    throw ProblemException.validation([{ field, message: 'must be a valid LDAP filter (RFC 4515)' }]);
  }
}

/**
 * A name pattern as a filter on one attribute: `*` is the only wildcard. Values go into the filter objects as
 * data, never into filter text, so `*)(uid=*` and the like are matched literally: no injection is possible.
 */
export function nameFilter(attribute: string, pattern: string): Filter {
  const parts = pattern.split('*');
  if (parts.length === 1) {
    return new EqualityFilter({ attribute, value: pattern });
  }
  const initial = parts[0];
  const final = parts[parts.length - 1];
  const any = parts.slice(1, -1).filter((p) => p !== '');
  if (!initial && !final && !any.length) {
    return new PresenceFilter({ attribute });
  }
  return new SubstringFilter({ attribute, initial, any, final });
}

/** `base` AND `extra`. */
export function and(base: Filter, extra: Filter): Filter {
  return new AndFilter({ filters: [base, extra] });
}
