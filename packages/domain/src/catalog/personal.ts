import type { CommunityEvent } from '../community/community.ts';
import type { CatalogEventType } from './events.ts';

// Personal information (个人信息, PIPL Art. 4) in events, declared once: the fields, per event
// type, that name, date or reach a person. The command service seals them before they are
// stored (packages/personal-data) and opens them when it folds; the projection service opens
// them only for the roles that need them. Each such event names its person by `personId`.
// Every other event holds ids, areas and head counts only; free texts (statements, minutes,
// objections, reasons) are the writer's to keep free of personal details.

type PersonalFields = {
  readonly [T in CommunityEvent['type']]?: readonly (keyof Extract<
    CommunityEvent,
    { type: T }
  >['data'] &
    string)[];
};

export const personalFields = {
  PersonRegistered: ['name', 'birthDate', 'phone'],
  PersonCorrected: ['name', 'birthDate', 'phone'],
} as const satisfies PersonalFields;

/** The event types that carry personal fields. */
export type PersonalEventType = keyof typeof personalFields;
/** A personal field of any event (`name`, `birthDate`, `phone`). */
export type PersonalField = (typeof personalFields)[PersonalEventType][number];

/** The personal fields of an event type (none for most). */
export function personalFieldsOf(type: CatalogEventType | string): readonly PersonalField[] {
  return Object.hasOwn(personalFields, type) ? personalFields[type as PersonalEventType] : [];
}

/** Whose personal data it is: the person, within their community (`c1/p7`). */
export function personalSubject(communityId: string, personId: string): string {
  return `${communityId}/${personId}`;
}
