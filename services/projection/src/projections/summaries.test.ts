import { eventCatalog } from '@yishi/domain';
import { describe, expect, it } from 'vitest';
import { hasLine, summarise } from './summaries.ts';

describe('summarise', () => {
  it('words every event type of the catalogue (a new type without a line fails here)', () => {
    const unworded = Object.keys(eventCatalog).filter((type) => !hasLine(type));
    expect(unworded).toEqual([]);
  });

  it('words a residents’ meeting request from its signatures to the convened meeting', () => {
    const by = { personId: 'li', role: 'resident' };
    expect(summarise('ResidentsMeetingRequested', { matters: '加装电梯', by, at: 'x' })).toBe(
      'li 提议召集居民会议：加装电梯',
    );
    expect(
      summarise('ResidentsMeetingRequestSigned', {
        capacity: 'household',
        signerId: 'wang',
        countedId: 'h7',
        by,
        at: 'x',
      }),
    ).toBe('wang 以户代表身份联名（计入 h7）');
    const count = (requesting: number, total: number) => ({ requesting, total });
    expect(
      summarise('ResidentsMeetingMustBeConvened', {
        passed: ['request-households'],
        figures: { adults: count(3, 40), households: count(4, 20), groups: count(0, 3) },
      }),
    ).toBe('联名达到户五分之一以上：应当召集居民会议（成年居民 3/40，户 4/20，小组 0/3）');
  });
});
