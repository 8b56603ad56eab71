import type { CommunityEvent, CommunityEventType, Role } from '@yishi/domain';
import type { Principal } from '@yishi/platform';

// Who reads what: personal fields (names, birth dates, addresses of persons) only clerks,
// officials and admins, who keep the registry and answer for it; webhook configuration (URLs,
// webhook ids, deliveries) only admins, who set it up. Every other field of the record is
// public to the community.

const PERSONAL_READERS: ReadonlySet<Role> = new Set(['clerk', 'official', 'admin']);
export const CONFIGURATION_READERS: ReadonlySet<Role> = new Set(['admin']);
/**
 * Who reads a hidden comment (besides its author): those who hide comments, and those who
 * oversee them. The timeline shows no comment's text to anyone else, as it cannot know at an
 * event whether a later one hides it; the discussion route shows the comments that stand.
 */
export const MODERATION_READERS: ReadonlySet<Role> = new Set([
  'clerk',
  'convener',
  'official',
  'admin',
]);

export interface Visibility {
  personal: boolean;
  configuration: boolean;
  /** Hidden comments, and comment texts in the timeline. */
  moderation: boolean;
}

export function visibilityOf(principal: Principal): Visibility {
  return {
    personal: PERSONAL_READERS.has(principal.role),
    configuration: CONFIGURATION_READERS.has(principal.role),
    moderation: MODERATION_READERS.has(principal.role),
  };
}

/**
 * How a person is named to this reader: by name to those who may read personal fields, by
 * their id to everyone else (a name, even in part, is personal information).
 */
export function displayName(
  person: { personId: string; name: string },
  visibility: Visibility,
): string {
  return visibility.personal ? person.name : person.personId;
}

type FieldsOf = {
  readonly [T in CommunityEventType]?: readonly (keyof Extract<
    CommunityEvent,
    { type: T }
  >['data'])[];
};

/** Fields of registry events that name, date or locate a person. */
const PERSONAL_FIELDS: FieldsOf = {
  PersonRegistered: ['name', 'birthDate'],
  PersonCorrected: ['name', 'birthDate'],
  HouseholdCreated: ['address'],
};

/** Fields of registry events that describe a webhook. */
const CONFIGURATION_FIELDS: FieldsOf = {
  WebhookConfigured: ['webhookId', 'url', 'description'],
  WebhookRemoved: ['webhookId'],
};

/** Fields of discussion events only moderators read in the timeline. */
const MODERATED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  CommentPosted: ['body'],
};

/** What a summary line shows in place of a field its reader may not see. */
export const WITHHELD = '［已隐去］';

const fieldsOf = (table: FieldsOf, type: string): readonly string[] =>
  (Object.hasOwn(table, type) ? table[type as CommunityEventType] : undefined) ?? [];

/**
 * An event's details as this reader may see them: the fields withheld are left out and listed
 * in `redacted`; `forSummary` has them as WITHHELD, so the summary line never shows them.
 * Undefined when nothing is withheld (most events).
 */
export function withheld(
  type: string,
  details: Record<string, unknown>,
  visibility: Visibility,
): { details: Record<string, unknown>; forSummary: Record<string, unknown> } | undefined {
  const hidden = [
    ...(visibility.personal ? [] : fieldsOf(PERSONAL_FIELDS, type)),
    ...(visibility.configuration ? [] : fieldsOf(CONFIGURATION_FIELDS, type)),
    ...(visibility.moderation || !Object.hasOwn(MODERATED_FIELDS, type)
      ? []
      : (MODERATED_FIELDS[type] ?? [])),
  ].filter((field) => Object.hasOwn(details, field));
  if (hidden.length === 0) return undefined;
  const shown = { ...details };
  const forSummary = { ...details };
  for (const field of hidden) {
    delete shown[field];
    forSummary[field] = WITHHELD;
  }
  return { details: { ...shown, redacted: hidden }, forSummary };
}
