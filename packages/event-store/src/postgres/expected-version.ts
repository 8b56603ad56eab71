import type { ExpectedVersion } from '../types.ts';

// An append's expected version travels to the database as one bigint (`es_append`'s
// `p_expected`, APPEND_ONE_SQL's $2): a version >= 0 is exact (0: no stream yet), and the two
// conditions that name no version are negative.

/** Whatever the stream's version. */
export const EXPECTED_ANY = -1;
/** Any version but 0: the stream has at least one event. */
export const EXPECTED_STREAM_EXISTS = -2;

/** The database's encoding of `expected`. */
export function encodeExpected(expected: ExpectedVersion): number {
  switch (expected) {
    case 'any':
      return EXPECTED_ANY;
    case 'streamExists':
      return EXPECTED_STREAM_EXISTS;
    case 'noStream':
      return 0;
    default:
      return expected;
  }
}
