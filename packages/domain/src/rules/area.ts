// Areas are integers of 0.01 m² (centi-square-metres) so that sums and ratios stay exact.

const AREA_TEXT = /^(\d{1,10})(?:\.(\d{1,2}))?$/;

/** Parses a registry area written in m² with at most 2 decimals ("89.5" → 8950), no floats. */
export function centiM2FromText(text: string): number {
  const match = AREA_TEXT.exec(text.trim());
  if (!match) throw new RangeError(`not an area in m² with at most 2 decimals: "${text}"`);
  const whole = match[1] ?? '0';
  const cents = (match[2] ?? '').padEnd(2, '0');
  return Number(whole) * 100 + Number(cents);
}

/** Formats 0.01 m² as m² text with 2 decimals (8950 → "89.50"). */
export function centiM2ToText(areaCentiM2: number): string {
  const whole = Math.trunc(areaCentiM2 / 100);
  const cents = String(areaCentiM2 % 100).padStart(2, '0');
  return `${whole}.${cents}`;
}

export type AreaSource = 'registry' | 'surveyed' | 'contract';

/**
 * The area that counts for votes (SPC interpretation on building-unit ownership, 2020, Art. 8):
 * the registry area; failing that the surveyed area; failing that the contract area.
 */
export function areaForVoting(areas: {
  registryCentiM2?: number;
  surveyedCentiM2?: number;
  contractCentiM2?: number;
}): { areaCentiM2: number; source: AreaSource } {
  if (areas.registryCentiM2 !== undefined) {
    return { areaCentiM2: areas.registryCentiM2, source: 'registry' };
  }
  if (areas.surveyedCentiM2 !== undefined) {
    return { areaCentiM2: areas.surveyedCentiM2, source: 'surveyed' };
  }
  if (areas.contractCentiM2 !== undefined) {
    return { areaCentiM2: areas.contractCentiM2, source: 'contract' };
  }
  throw new RangeError('a unit needs a registry, surveyed or contract area');
}
