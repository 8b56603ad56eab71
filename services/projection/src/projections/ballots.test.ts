import { eventCatalog } from '@yishi/domain';
import { describe, expect, it } from 'vitest';
import { BALLOT_TYPES, foldBallots } from './ballots.ts';
import { LARGE } from './timeline.ts';

describe('ballots read from the timeline', () => {
  it('a ballot event has no field that a timeline line shortens', () => {
    // The tally reads the ballots from the timeline's lines: a shortened field would be lost.
    for (const type of BALLOT_TYPES) {
      const schema = eventCatalog[type].schema as unknown as { shape?: Record<string, unknown> };
      expect(schema.shape, type).toBeDefined();
      const fields = Object.keys(schema.shape ?? {});
      expect(fields, type).toContain('choices');
      expect(
        fields.filter((f) => LARGE.has(f)),
        type,
      ).toEqual([]);
    }
  });

  it('folds a voter’s facts in order: a correction keeps how and by whom it was cast', () => {
    const base = {
      voter_id: 'o1',
      item_id: 'a',
      ranking: null,
      authorisation_id: null,
      document_ref: null,
    };
    const [ballot] = foldBallots([
      {
        ...base,
        choice: 'yes',
        via: 'proxy',
        cast_by: 'o2',
        authorisation_id: 'auth1',
        cast_at: '1',
      },
      { ...base, choice: 'no', via: null, cast_by: null, document_ref: '表决票-1', cast_at: '2' },
    ]);
    expect(ballot).toEqual({
      voterId: 'o1',
      itemId: 'a',
      choice: 'no',
      ranking: null,
      via: 'proxy',
      castBy: 'o2',
      authorisationId: 'auth1',
      documentRef: '表决票-1',
      castAt: '2',
      versions: 2,
    });
  });
});
