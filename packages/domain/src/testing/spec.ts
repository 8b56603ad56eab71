import { expect } from 'vitest';
import type { z } from 'zod';
import { type Actor, type Decider, fold } from '../shared/decider.ts';
import { type DomainErrorCode, isDomainError } from '../shared/errors.ts';

// Given/when/then specs for deciders (Emmett style), for tests only: given these events,
// when this command, then these events or this refusal. Every emitted event is checked to be
// plain JSON and exactly what its schema describes (no stray or missing fields).

interface AnyEvent {
  readonly type: string;
  readonly data: unknown;
}

export function specFor<C, E extends AnyEvent, S>(
  decider: Decider<C, E, S>,
  schemas: Readonly<Record<string, z.ZodType>>,
) {
  const check = (events: readonly E[]) => {
    for (const event of events) {
      const schema = schemas[event.type];
      expect(schema, `schema of ${event.type}`).toBeDefined();
      expect(JSON.parse(JSON.stringify(event)), `${event.type} is plain JSON`).toEqual(event);
      expect(schema?.parse(event.data), `${event.type} matches its schema`).toEqual(event.data);
    }
  };
  return {
    given: (events: readonly E[] = []) => ({
      when: (command: C) => {
        const state = fold(decider, events);
        const result = decider.decide(command, state);
        const succeeded = (): readonly E[] => {
          if (isDomainError(result)) {
            throw new Error(`expected events, refused ${result.code}: ${result.message}`);
          }
          check(result);
          return result;
        };
        return {
          /** The exact events, or a function that inspects them. */
          // biome-ignore lint/suspicious/noThenProperty: given/when/then reads as a spec; never awaited
          then(expected: readonly E[] | ((events: readonly E[]) => void)): readonly E[] {
            const events = succeeded();
            if (typeof expected === 'function') expected(events);
            else expect(events).toEqual(expected);
            return events;
          },
          thenRefused(code: DomainErrorCode, details?: Record<string, unknown>): void {
            expect(isDomainError(result), `expected a refusal ${code}`).toBe(true);
            if (!isDomainError(result)) return;
            expect(result.code, result.message).toBe(code);
            if (details) expect(result.details).toMatchObject(details);
          },
          /** The state after the new events, for checks on evolve. */
          thenState(): S {
            return fold(decider, [...events, ...succeeded()]);
          },
        };
      },
    }),
  };
}

/**
 * Runs commands one after another and returns all events: a readable way to build the
 * `given` history. Throws on the first refusal.
 */
export function history<C, E, S>(
  decider: Decider<C, E, S>,
  commands: readonly C[],
  from: readonly E[] = [],
): E[] {
  const events = [...from];
  let state = fold(decider, events);
  for (const command of commands) {
    const result = decider.decide(command, state);
    if (isDomainError(result)) {
      throw new Error(
        `history: ${JSON.stringify(command).slice(0, 200)} refused ${result.code}: ${result.message}`,
      );
    }
    for (const event of result) {
      events.push(event);
      state = decider.evolve(state, event);
    }
  }
  return events;
}

/** A typed command builder for a decider's command union. */
export function commandsOf<C extends { type: string; data: unknown }>() {
  return <T extends C['type']>(
    type: T,
    data: Extract<C, { type: T }>['data'],
    actor: Actor,
    at: string,
  ): C => ({ type, data, actor, at }) as unknown as C;
}

/** 09:00 in Beijing on day `day` of 2026 (day 0 = 1 January), plus `hours`. */
export function day(day: number, hours = 0): string {
  return new Date(Date.UTC(2026, 0, 1 + day, 1 + hours)).toISOString();
}

/** A state as text, Maps included, so a snapshot taken now can be compared later. */
export function snapshot(state: unknown): string {
  return JSON.stringify(state, (_key, value: unknown) =>
    value instanceof Map ? { map: [...value.entries()] } : value,
  );
}

/**
 * Runs commands, keeping those the decider accepts, and checks what must hold for any
 * history: each emitted event is plain JSON matching its schema; folding all events gives the
 * state built step by step; rebuilding from the JSON of the events through `read` (the
 * upcaster) gives it too; and no earlier state was changed by a later event (evolve is pure).
 * Returns the events and how many commands were accepted.
 */
export function checkRebuild<C, E extends AnyEvent, S>(
  decider: Decider<C, E, S>,
  schemas: Readonly<Record<string, z.ZodType>>,
  commands: readonly C[],
  read: (stored: { type: string; data: unknown }) => AnyEvent,
): { events: E[]; accepted: number } {
  const events: E[] = [];
  const snapshots: { state: S; text: string }[] = [];
  let state = decider.initialState();
  let accepted = 0;
  for (const command of commands) {
    const result = decider.decide(command, state);
    if (isDomainError(result)) continue;
    accepted++;
    for (const event of result) {
      const schema = schemas[event.type];
      if (!schema) throw new Error(`no schema for ${event.type}`);
      expect(JSON.parse(JSON.stringify(event))).toEqual(event);
      expect(schema.parse(event.data)).toEqual(event.data);
      events.push(event);
      state = decider.evolve(state, event);
    }
    snapshots.push({ state, text: snapshot(state) });
  }
  expect(fold(decider, events)).toEqual(state);
  const stored = events.map((e) => read(JSON.parse(JSON.stringify(e))) as unknown as E);
  expect(fold(decider, stored)).toEqual(state);
  for (const s of snapshots) expect(snapshot(s.state)).toBe(s.text);
  return { events, accepted };
}
