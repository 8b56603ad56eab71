import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { art279Consent } from './art279.ts';

describe('art279Consent (民法典 Art. 279: 有利害关系的业主一致同意)', () => {
  const interestedOwnerIds = ['li', 'wang', 'zhao', 'zhou'];

  it('is given only when every interested owner consents', () => {
    const result = art279Consent({
      applicantOwnerIds: ['chen'],
      interestedOwnerIds,
      consentingOwnerIds: ['zhou', 'li', 'zhao', 'wang'],
    });
    expect(result.outcome).toBe('adopted');
    expect(result.figures.notConsenting).toEqual([]);
  });

  it('one missing consent rejects, and names who has not consented', () => {
    const result = art279Consent({
      applicantOwnerIds: ['chen'],
      interestedOwnerIds,
      consentingOwnerIds: ['li', 'zhao', 'zhou', 'passer-by'],
    });
    expect(result.outcome).toBe('rejected');
    expect(result.failedTest).toBe('consent-all');
    expect(result.tests[0]).toMatchObject({ value: 3, base: 4 });
    expect(result.figures.notConsenting).toEqual(['wang']);
  });

  it('applicants are not their own interested owners; no interested owner means no one to ask', () => {
    const result = art279Consent({
      applicantOwnerIds: ['chen'],
      interestedOwnerIds: ['chen'],
      consentingOwnerIds: [],
    });
    expect(result.figures.interested).toEqual([]);
    expect(result.outcome).toBe('adopted');
  });

  it('adopted exactly when the not-consenting list is empty', () => {
    const people = ['a', 'b', 'c', 'd', 'e'];
    fc.assert(
      fc.property(fc.subarray(people), fc.subarray(people), (interested, consenting) => {
        const result = art279Consent({
          applicantOwnerIds: [],
          interestedOwnerIds: interested,
          consentingOwnerIds: consenting,
        });
        expect(result.outcome === 'adopted').toBe(result.figures.notConsenting.length === 0);
        expect(result.figures.consenting.length + result.figures.notConsenting.length).toBe(
          interested.length,
        );
      }),
    );
  });
});
