import type { Client } from 'openapi-fetch';
import type { paths as CommandPaths } from './generated/command.ts';
import type { paths as QueryPaths } from './generated/projection.ts';
import type { FlowResult } from './result.ts';

// A small flow written against the types openapi-typescript generates from the two services'
// /openapi.json, with openapi-fetch and no casts: if a document and the code disagree about a
// field's name or type, this file does not type-check (tests/api/typed-client.test.ts, which
// generates ./generated/ first; the repository's typecheck leaves this file to that test).

export interface FlowClients {
  command: Client<CommandPaths>;
  query: Client<QueryPaths>;
}

function fail(what: string, answer: { error?: { detail: string } | undefined }): never {
  throw new Error(`${what}: ${answer.error?.detail ?? 'no answer'}`);
}

export async function flow(
  api: FlowClients,
  tokens: { admin: string; resident: string },
  decided: { communityId: string; proposalId: string; sessionId: string },
): Promise<FlowResult> {
  const admin = { authorization: `Bearer ${tokens.admin}` };
  const resident = { authorization: `Bearer ${tokens.resident}` };
  const community = { communityId: 'c2' };

  const registered = await api.command.PUT('/v1/communities/{communityId}', {
    params: { path: community },
    headers: admin,
    body: { name: '幸福里社区', kind: 'urban' },
  });
  if (!registered.data) fail('RegisterCommunity', registered);

  const submit = () =>
    api.command.POST('/v1/communities/{communityId}/proposals', {
      params: { path: community, header: { 'idempotency-key': 'k-1' } },
      headers: resident,
      body: {
        proposalId: 'p1',
        title: '加装电梯',
        description: '3号楼加装电梯',
        procedure: 'community-consultation',
      },
    });
  const submitted = await submit();
  if (!submitted.data) fail('SubmitProposal', submitted);
  const replayed = await submit();
  if (!replayed.data) fail('SubmitProposal again', replayed);

  const proposal = await api.query.GET('/v1/communities/{communityId}/proposals/{proposalId}', {
    params: {
      path: { ...community, proposalId: 'p1' },
      query: { minPosition: submitted.data.position },
    },
    headers: resident,
  });
  if (!proposal.data) fail('the proposal', proposal);

  const refused = await api.command.POST(
    '/v1/communities/{communityId}/proposals/{proposalId}/open-voting',
    {
      params: { path: { ...community, proposalId: 'p1' } },
      headers: resident,
      body: {
        rule: { kind: 'residents-meeting', form: 'all-adults' },
        closesAt: '2030-01-31T18:00:00+08:00',
      },
    },
  );
  if (!refused.error) throw new Error('a resident opened voting');

  const missing = await api.query.GET('/v1/communities/{communityId}/proposals/{proposalId}', {
    params: { path: { ...community, proposalId: 'p1' }, query: { asOf: '999999999' } },
    headers: resident,
  });
  if (!missing.error) throw new Error('asOf a position with no event answered');

  const where = { communityId: decided.communityId, proposalId: decided.proposalId };
  const decision = await api.query.GET(
    '/v1/communities/{communityId}/proposals/{proposalId}/decision',
    { params: { path: where }, headers: admin },
  );
  if (!decision.data) fail('the decision', decision);
  const tally = await api.query.GET('/v1/communities/{communityId}/proposals/{proposalId}/tally', {
    params: { path: where },
    headers: admin,
  });
  if (!tally.data) fail('the tally', tally);
  const first = decision.data.items[0];
  if (!first) throw new Error('a decision without items');
  const { result } = first;
  if (result.rule !== 'owners-decision-278') throw new Error(`rule ${result.rule}`);

  const session = await api.query.GET('/v1/communities/{communityId}/sessions/{sessionId}', {
    params: { path: { communityId: decided.communityId, sessionId: decided.sessionId } },
    headers: admin,
  });
  if (!session.data) fail('the session', session);
  const dossier = await api.query.GET(
    '/v1/communities/{communityId}/proposals/{proposalId}/dossier',
    { params: { path: where }, headers: admin },
  );
  if (!dossier.data) fail('the dossier', dossier);

  return {
    position: submitted.data.position,
    location: submitted.response.headers.get('location'),
    title: proposal.data.title,
    duplicate: replayed.data.duplicate,
    allowedRoles: refused.error.allowedRoles ?? [],
    missingCode: missing.error.code,
    decided: {
      rule: result.rule,
      outcome: first.outcome,
      yesArea: result.figures.yes.areaCentiM2,
      totalArea: result.figures.total.areaCentiM2,
    },
    sessionOutcome: session.data.agenda[0]?.resolution?.outcome ?? null,
    dossierStreams: dossier.data.streams.length,
  };
}
