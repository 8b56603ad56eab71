import { z } from 'zod';
import type { DomainError } from './errors.ts';

/**
 * The roles, listed once: a token carries one (the services read it with this schema, the
 * console too); what each may do is decided per command.
 */
export const Role = z.enum([
  'resident',
  'owner',
  'proxy',
  'clerk',
  'party_representative',
  'convener',
  'official',
  'admin',
]);
export type Role = z.infer<typeof Role>;

/**
 * Who an event says acted: a role, or `system` for the scheduler's commands (a vote closed at
 * its time, an overdue flag, a reminder, a regular meeting). No token carries `system`: tokens
 * are read with `Role`, so only the command service itself can act as the system.
 */
export const ActorRole = z.enum([...Role.options, 'system']);
export type ActorRole = z.infer<typeof ActorRole>;

/** Who sends a command. Time and ids come in with the command: the domain has no clock. */
export const Actor = z.object({
  personId: z.string().min(1).max(64),
  role: ActorRole,
  /** For a party representative: the party they act for. */
  partyId: z.string().min(1).max(64).optional(),
});
export type Actor = z.infer<typeof Actor>;

/** The scheduler: the actor of every automatic command (自动). */
export const SYSTEM_ACTOR: Actor = Object.freeze({ personId: 'system', role: 'system' });

/** Whether an actor is the scheduler. */
export const isSystem = (actor: Actor): boolean => actor.role === 'system';

export interface Command<TType extends string, TData> {
  readonly type: TType;
  readonly data: TData;
  readonly actor: Actor;
  /** ISO 8601 time at which the command is decided. */
  readonly at: string;
}

export interface DomainEvent<TType extends string, TData> {
  readonly type: TType;
  readonly data: TData;
}

/** Emmett-style decider: pure functions, no I/O, no clock, no randomness. */
export interface Decider<TCommand, TEvent, TState> {
  initialState(): TState;
  evolve(state: TState, event: TEvent): TState;
  /** Returns the events to append, or a refusal. */
  decide(command: TCommand, state: TState): readonly TEvent[] | DomainError;
}

export function fold<TEvent, TState>(
  decider: Pick<Decider<unknown, TEvent, TState>, 'initialState' | 'evolve'>,
  events: Iterable<TEvent>,
): TState {
  let state = decider.initialState();
  for (const event of events) state = decider.evolve(state, event);
  return state;
}

export const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ or -, at most 64');
export const CommunityId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits or -, at most 63');
export const IsoTime = z.iso.datetime({ offset: true });
/**
 * C0 controls other than tab, line feed and carriage return (NUL among them: PostgreSQL cannot
 * store it), and surrogates: with the `u` flag a well-formed pair is one code point, so only a
 * lone surrogate matches.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const UNPRINTABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]|\p{Cs}/u;

/** Human text in any language; bounded so no event can grow without limit. */
export const Text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((text) => !UNPRINTABLE.test(text), {
      message:
        '不能包含控制字符或残缺字符 / must not contain control characters (other than tab and line breaks) or lone surrogates',
    });

/** The union of commands described by a record of data schemas. */
export type CommandsOf<TSchemas extends Record<string, z.ZodType>> = {
  [K in keyof TSchemas & string]: Command<K, z.infer<TSchemas[K]>>;
}[keyof TSchemas & string];

/** The union of events described by a record of data schemas. */
export type EventsOf<TSchemas extends Record<string, z.ZodType>> = {
  [K in keyof TSchemas & string]: DomainEvent<K, z.infer<TSchemas[K]>>;
}[keyof TSchemas & string];

/** The part of an actor an event keeps: who, in which role, for which party. */
export function actorOf(command: { actor: Actor }): Actor {
  const { personId, role, partyId } = command.actor;
  return partyId === undefined ? { personId, role } : { personId, role, partyId };
}

/** What `decide` returns: the events to append, or a refusal. */
export type Decision<TEvent> = readonly TEvent[] | DomainError;

/** The member of a union of commands or events with type `TType`. */
export type OfType<TUnion extends { type: string }, TType extends TUnion['type']> = Extract<
  TUnion,
  { type: TType }
>;

/** The types of events whose data carry the command's time and actor (`at`, `by`). */
type StampedType<TEvent> =
  TEvent extends DomainEvent<infer TType, infer TData>
    ? TData extends { at: string; by: Actor }
      ? TType
      : never
    : never;

/** Makes one event of `type` from its data without the stamp (`at`, `by`). */
export type Emit<TEvent extends DomainEvent<string, unknown>> = <T extends StampedType<TEvent>>(
  type: T,
  data: Omit<OfType<TEvent, T>['data'], 'at' | 'by'>,
) => OfType<TEvent, T>;

/**
 * The emitter of a command's events: each is stamped with the command's time and actor, as
 * every event a command causes is (`const emit = eventsFor<ProposalEvent>(command)`).
 */
export function eventsFor<TEvent extends DomainEvent<string, unknown>>(command: {
  readonly at: string;
  readonly actor: Actor;
}): Emit<TEvent> {
  const at = command.at;
  const by = actorOf(command);
  // The data's type is checked at the call (Emit); the union cannot follow `type` here.
  return (type, data) =>
    ({ type, data: { ...data, at, by } }) as unknown as OfType<TEvent, typeof type>;
}
