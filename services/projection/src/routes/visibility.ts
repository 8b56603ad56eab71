import {
  type CommunityEvent,
  type CommunityEventType,
  personalFieldsOf,
  type Role,
} from '@yishi/domain';
import { type AccessLog, ERASED, type Keyring, type Vault } from '@yishi/personal-data';
import type { AppEnv, Principal } from '@yishi/platform';
import type { Context } from 'hono';

// Who reads what: personal fields (names, birth dates, phones of persons, the addresses of
// households, the grounds of an erasure) only clerks, officials and admins, who keep the
// registry and answer for it; webhook configuration (URLs, webhook ids, deliveries) only
// admins, who set it up. Every other field of the record is public to the community.
// Names, birth dates and phones are stored sealed (packages/personal-data): they are opened
// here, per answer, for those readers only; an official's reads are logged for admins.

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
/** Whose reads of personal data are logged (PIPL: officials read across communities). */
const LOGGED_READERS: ReadonlySet<Role> = new Set(['official']);

/** What a person whose personal data was erased shows as. */
export const ERASED_TEXT = '个人信息已删除';

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

/** The vault that opens sealed fields, and the log of officials' reads. */
export interface PersonalDataDeps {
  vault: Vault;
  accessLog: AccessLog;
}

/**
 * Opens the personal fields of one answer for a reader who may read them, and notes whose
 * fields it opened (for the access log). For other readers it opens nothing.
 */
export class PersonalFields {
  /** The persons whose personal fields this answer shows, opened. */
  readonly shown = new Set<string>();

  private constructor(
    readonly visibility: Visibility,
    private readonly keyring: Keyring | undefined,
  ) {}

  /** Loads the keys of the sealed values among `values`, for a reader who may read them. */
  static async load(
    vault: Vault,
    visibility: Visibility,
    values: Iterable<unknown>,
  ): Promise<PersonalFields> {
    return new PersonalFields(
      visibility,
      visibility.personal ? await vault.keyring(values) : undefined,
    );
  }

  /**
   * A person's field as this reader sees it: opened, or ERASED_TEXT once their data was
   * erased; undefined when the reader may not see it.
   */
  open(personId: string, field: string, value: string): string | undefined {
    if (!this.keyring) return undefined;
    const opened = this.keyring.open(value, field);
    if (opened === ERASED) return ERASED_TEXT;
    this.shown.add(personId);
    return opened;
  }
}

/** Logs an official's read of personal fields (who, which persons, which route, when). */
export async function logPersonalRead(
  deps: PersonalDataDeps,
  c: Context<AppEnv>,
  communityId: string,
  route: string,
  personIds: Iterable<string>,
): Promise<void> {
  const principal = c.get('principal');
  const ids = [...new Set(personIds)].sort();
  if (!LOGGED_READERS.has(principal.role) || ids.length === 0) return;
  await deps.accessLog.record({
    readerId: principal.personId,
    readerRole: principal.role,
    communityId,
    personIds: ids,
    route,
    requestId: c.get('requestId'),
  });
}

/**
 * How a person is named to this reader: by name to those who may read personal fields (or as
 * erased), by their id to everyone else (a name, even in part, is personal information).
 */
export function displayName(
  person: { personId: string; name: string | null; erased: boolean },
  fields: PersonalFields,
): string {
  if (!fields.visibility.personal) return person.personId;
  if (person.erased || person.name === null) return ERASED_TEXT;
  return fields.open(person.personId, 'name', person.name) ?? person.personId;
}

type FieldsOf = {
  readonly [T in CommunityEventType]?: readonly (keyof Extract<
    CommunityEvent,
    { type: T }
  >['data'])[];
};

/** Fields of registry events that locate a person or say why their data was erased (clear). */
const WITHHELD_FIELDS: FieldsOf = {
  HouseholdCreated: ['address'],
  PersonalDataErased: ['legalBasis', 'documentRef'],
};

/** Fields of registry events that describe a webhook. */
const CONFIGURATION_FIELDS: FieldsOf = {
  WebhookConfigured: ['webhookId', 'url', 'description'],
  WebhookRemoved: ['webhookId'],
};

/** Fields of discussion events only moderators read in the timeline (the text, why hidden). */
const MODERATED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  CommentPosted: ['body'],
  CommentHidden: ['reason'],
  CommentUnhidden: ['reason'],
};

/** What a summary line shows in place of a field its reader may not see. */
export const WITHHELD = '［已隐去］';

const fieldsOf = (table: FieldsOf, type: string): readonly string[] =>
  (Object.hasOwn(table, type) ? table[type as CommunityEventType] : undefined) ?? [];

/** The personal fields of an event's details (sealed ones among them): what to load keys for. */
export function personalValues(type: string, details: Record<string, unknown>): unknown[] {
  return personalFieldsOf(type).map((field) => details[field]);
}

/**
 * An event's details as this reader may see them: the fields withheld are left out and listed
 * in `redacted`; `forSummary` has them as WITHHELD, so the summary line never shows them.
 * Sealed personal fields are opened for those who may read them. Undefined when the details
 * are shown as they are (most events).
 */
export function withheld(
  type: string,
  details: Record<string, unknown>,
  fields: PersonalFields,
): { details: Record<string, unknown>; forSummary: Record<string, unknown> } | undefined {
  const { visibility } = fields;
  const personal = personalFieldsOf(type).filter((f) => Object.hasOwn(details, f));
  const hidden = [
    ...(visibility.personal ? [] : [...personal, ...fieldsOf(WITHHELD_FIELDS, type)]),
    ...(visibility.configuration ? [] : fieldsOf(CONFIGURATION_FIELDS, type)),
    ...(visibility.moderation || !Object.hasOwn(MODERATED_FIELDS, type)
      ? []
      : (MODERATED_FIELDS[type] ?? [])),
  ].filter((field) => Object.hasOwn(details, field));
  const opened = visibility.personal && personal.length > 0;
  if (hidden.length === 0 && !opened) return undefined;
  const shown = { ...details };
  if (opened) {
    const personId = String(details.personId);
    for (const field of personal) {
      const value = details[field];
      if (typeof value === 'string') shown[field] = fields.open(personId, field, value) ?? value;
    }
  }
  const forSummary = { ...shown };
  for (const field of hidden) {
    delete shown[field];
    forSummary[field] = WITHHELD;
  }
  return { details: hidden.length > 0 ? { ...shown, redacted: hidden } : shown, forSummary };
}
