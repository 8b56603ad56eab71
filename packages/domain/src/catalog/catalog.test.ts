import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { communityCommandSchemas, communityEventSchemas } from '../community/community.ts';
import { convocationCommandSchemas, convocationEventSchemas } from '../convocation/convocation.ts';
import {
  crowdfundingCommandSchemas,
  crowdfundingEventSchemas,
} from '../crowdfunding/crowdfunding.ts';
import { discussionCommandSchemas, discussionEventSchemas } from '../discussion/discussion.ts';
import { evaluationCommandSchemas, evaluationEventSchemas } from '../evaluation/evaluation.ts';
import { fundCommandSchemas, fundEventSchemas } from '../fund/fund.ts';
import {
  installationCommandSchemas,
  installationEventSchemas,
} from '../installation/installation.ts';

import { proposalCommandSchemas, proposalEventSchemas } from '../proposal/proposal.ts';
import { sessionCommandSchemas, sessionEventSchemas } from '../session/session.ts';
import { Role } from '../shared/decider.ts';
import { createUpcast, UnknownEventError } from '../shared/events.ts';
import { wishCommandSchemas, wishEventSchemas } from '../wish/wish.ts';
import { commandCatalog, maySend } from './commands.ts';
import { eventCatalog, eventSchemaVersion, upcastEvent } from './events.ts';

describe('command catalogue', () => {
  const names = [
    ...Object.keys(communityCommandSchemas),
    ...Object.keys(proposalCommandSchemas),
    ...Object.keys(sessionCommandSchemas),
    ...Object.keys(convocationCommandSchemas),
    ...Object.keys(discussionCommandSchemas),
    ...Object.keys(wishCommandSchemas),
    ...Object.keys(evaluationCommandSchemas),
    ...Object.keys(crowdfundingCommandSchemas),
    ...Object.keys(fundCommandSchemas),
    ...Object.keys(installationCommandSchemas),
  ];
  it('lists every command once, with its aggregate, schema and roles', () => {
    expect(Object.keys(commandCatalog).sort()).toEqual([...names].sort());
    for (const definition of Object.values(commandCatalog)) {
      // The scheduler's own commands: no role may send them (no route takes them).
      if (definition.automatic === 'only') expect(definition.roles, definition.name).toEqual([]);
      else expect(definition.roles.length, definition.name).toBeGreaterThan(0);
      expect([
        'community',
        'proposal',
        'session',
        'convocation',
        'discussion',
        'wish',
        'evaluation',
        'crowdfunding',
        'fund',
        'installation',
      ]).toContain(definition.aggregate);
    }
  });
  it('an official only reads: no command lets them act', () => {
    expect(Role.options).toContain('official');
    expect(Object.values(commandCatalog).filter((d) => d.roles.includes('official'))).toEqual([]);
  });
  it('follows domain.md on who acts', () => {
    expect(commandCatalog.CastBallot.roles).toEqual(['owner', 'resident']);
    expect(commandCatalog.CastProxyBallot.roles).toEqual(['proxy']);
    expect(commandCatalog.EnterPaperBallot.roles).toEqual(['clerk']);
    // A residents' council's members sign as residents (no party): the decider checks membership.
    expect(commandCatalog.SignMinutes).toMatchObject({
      roles: ['party_representative', 'resident'],
      partyField: 'partyId',
    });
    expect(commandCatalog.StatePosition.partyField).toBe('partyId');
    expect(maySend('RegisterCommunity', 'admin')).toBe(true);
    expect(maySend('EnterPaperBallot', 'owner')).toBe(false);
  });
  it('separates what a client sends from what the service fills in', () => {
    const open = commandCatalog.OpenVoting;
    // The community's adopted rule settings are context too: a client cannot send them.
    expect(open.context).toEqual(['communityRules', 'electorate', 'scope']);
    expect(Object.keys(open.body.shape)).not.toContain('electorate');
    expect(Object.keys(open.body.shape)).not.toContain('communityRules');
    expect(Object.keys(open.schema.shape)).toContain('electorate');
    expect(commandCatalog.SubmitProposal.context).toEqual([
      'communityId',
      'procedureDefinition',
      'onBehalfOf',
      'submitterUnitIds',
    ]);
    expect(commandCatalog.CastBallot.body).toBe(commandCatalog.CastBallot.schema);
  });
  it('every schema renders as JSON Schema (for the OpenAPI document)', () => {
    for (const definition of Object.values(commandCatalog)) {
      expect(() => z.toJSONSchema(definition.body, { io: 'input' }), definition.name).not.toThrow();
    }
  });
});

describe('event catalogue and upcasting', () => {
  it('lists every event type with its aggregate and version', () => {
    const types = [
      ...Object.keys(communityEventSchemas),
      ...Object.keys(proposalEventSchemas),
      ...Object.keys(sessionEventSchemas),
      ...Object.keys(convocationEventSchemas),
      ...Object.keys(discussionEventSchemas),
      ...Object.keys(wishEventSchemas),
      ...Object.keys(evaluationEventSchemas),
      ...Object.keys(crowdfundingEventSchemas),
      ...Object.keys(fundEventSchemas),
      ...Object.keys(installationEventSchemas),
    ];
    expect(Object.keys(eventCatalog).sort()).toEqual([...types].sort());
    expect(eventCatalog.BallotCast).toMatchObject({ aggregate: 'proposal', version: 1 });
    expect(eventSchemaVersion('ProposalDecided')).toBe(1);
  });
  it('reads a stored event of the current version, validating it', () => {
    const data = {
      text: '通知',
      at: '2026-01-01T00:00:00.000Z',
      by: { personId: 'c', role: 'clerk' },
    };
    expect(upcastEvent({ type: 'SessionNoticeGiven', data, schemaVersion: 1 })).toEqual({
      type: 'SessionNoticeGiven',
      data,
    });
    expect(() => upcastEvent({ type: 'SessionNoticeGiven', data: { text: 1 } })).toThrow(
      UnknownEventError,
    );
    expect(() => upcastEvent({ type: 'NoSuchEvent', data: {} })).toThrow(/unknown type/);
    expect(() => upcastEvent({ type: 'SessionNoticeGiven', data, schemaVersion: 2 })).toThrow(
      /newer/,
    );
  });
  it('upcasts old versions one step at a time', () => {
    // A made-up history: v1 had `name`, v2 renamed it to `title`, v3 added `tags`.
    const catalog = {
      Thing: {
        aggregate: 'proposal' as const,
        version: 3,
        schema: z.object({ title: z.string(), tags: z.array(z.string()) }),
      },
    };
    const upcast = createUpcast<{ type: 'Thing'; data: { title: string; tags: string[] } }>(
      catalog,
      {
        Thing: {
          1: (d) => {
            const { name, ...rest } = d as { name: string };
            return { ...rest, title: name };
          },
          2: (d) => ({ ...(d as object), tags: [] }),
        },
      },
    );
    expect(upcast({ type: 'Thing', data: { name: 'x' } })).toEqual({
      type: 'Thing',
      data: { title: 'x', tags: [] },
    });
    expect(upcast({ type: 'Thing', data: { title: 'y' }, schemaVersion: 2 })).toEqual({
      type: 'Thing',
      data: { title: 'y', tags: [] },
    });
    const missing = createUpcast(catalog, {});
    expect(() => missing({ type: 'Thing', data: { name: 'x' } })).toThrow(
      /no upcaster from version 1/,
    );
  });
});
