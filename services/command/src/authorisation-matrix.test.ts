import { Role } from '@yishi/domain';
import { PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { type Principal, simulatedClock, testAuth } from '@yishi/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import { commandRoutes } from './routes/commands.ts';

// Who may send what (domain.md): one table. A route missing here, or a route whose behaviour
// differs from it, fails this test.
const clerkAdmin: Role[] = ['clerk', 'admin'];
const submitters: Role[] = ['resident', 'owner', 'party_representative', 'convener'];
const expected: Record<string, Role[]> = {
  RegisterCommunity: ['admin'],
  ChangeCommunitySettings: ['admin'],
  DefineProcedure: clerkAdmin,
  RegisterPerson: clerkAdmin,
  CorrectPerson: clerkAdmin,
  ErasePersonalData: clerkAdmin,
  RegisterUnit: clerkAdmin,
  CorrectUnitArea: clerkAdmin,
  TransferUnit: clerkAdmin,
  CreateResidentGroup: clerkAdmin,
  DissolveResidentGroup: clerkAdmin,
  CreateHousehold: clerkAdmin,
  DissolveHousehold: clerkAdmin,
  AddResident: clerkAdmin,
  MoveResident: clerkAdmin,
  RemoveResident: clerkAdmin,
  DesignateHouseholdRepresentative: clerkAdmin,
  ElectGroupRepresentative: clerkAdmin,
  RemoveGroupRepresentative: clerkAdmin,
  RegisterParty: clerkAdmin,
  DissolveParty: clerkAdmin,
  AppointPartyRepresentative: clerkAdmin,
  RevokePartyRepresentative: clerkAdmin,
  AddPartyMember: clerkAdmin,
  RemovePartyMember: clerkAdmin,
  GrantProxy: ['owner', 'clerk', 'admin'],
  RevokeProxy: ['owner', 'clerk', 'admin'],
  AppointClerk: ['admin'],
  RevokeClerk: ['admin'],
  ConfigureWebhook: ['admin'],
  RemoveWebhook: ['admin'],
  RecordContactConsent: clerkAdmin,
  OptOutOfReminders: [
    'resident',
    'owner',
    'proxy',
    'party_representative',
    'convener',
    'clerk',
    'admin',
  ],
  EstablishStandingBody: clerkAdmin,
  ChangeStandingBody: clerkAdmin,
  DissolveStandingBody: clerkAdmin,
  SubmitProposal: submitters,
  AmendProposal: submitters,
  AddOption: submitters,
  AcceptOntoAgenda: ['convener'],
  GiveNotice: ['convener', 'clerk'],
  RecordDeliberation: ['convener', 'clerk'],
  OpenVoting: ['convener'],
  RecordPresence: ['clerk'],
  CastBallot: ['owner', 'resident'],
  ChangeBallot: ['owner', 'resident', 'proxy'],
  CastProxyBallot: ['proxy'],
  EnterPaperBallot: ['clerk'],
  CorrectPaperBallot: ['clerk'],
  CloseVoting: ['convener', 'clerk'],
  RecordSessionResolution: ['convener'],
  ReturnToStage: ['convener'],
  Publish: ['convener', 'clerk'],
  RaiseObjection: ['resident', 'owner', 'party_representative'],
  AnswerObjection: ['convener', 'clerk'],
  ReportImplementation: ['convener', 'clerk', 'party_representative'],
  ReportFeedback: ['convener', 'clerk'],
  RateSatisfaction: ['resident', 'owner'],
  WithdrawProposal: submitters,
  AssignImplementation: ['convener', 'clerk'],
  ConveneSession: ['convener'],
  GiveSessionNotice: ['convener', 'clerk'],
  RecordAttendance: ['clerk', 'party_representative', 'resident'],
  RecordStatement: ['clerk', 'party_representative', 'resident'],
  StatePosition: ['party_representative'],
  CastMemberVote: ['resident'],
  ResolveItem: ['convener'],
  DraftMinutes: ['clerk'],
  AmendMinutes: ['party_representative', 'clerk', 'resident'],
  SignMinutes: ['party_representative', 'resident'],
  CorrectMinutes: ['clerk'],
  SignMinutesCorrection: ['party_representative', 'resident'],
  PublishMinutes: ['convener', 'clerk'],
  RequestResidentsMeeting: ['resident'],
  SignResidentsMeetingRequest: ['resident'],
  RecordResidentsMeetingConvened: ['convener'],
  // Participation: amendments, discussion, micro-wishes, evaluations.
  ProposeAmendment: ['resident', 'owner', 'party_representative'],
  AcceptAmendment: submitters,
  RejectAmendment: submitters,
  PostComment: ['resident', 'owner', 'party_representative', 'clerk', 'convener'],
  HideComment: ['clerk', 'convener'],
  UnhideComment: ['clerk', 'convener'],
  PostWish: ['resident', 'owner'],
  ClaimWish: ['resident', 'owner', 'party_representative'],
  UnclaimWish: ['resident', 'owner', 'party_representative', 'clerk', 'convener'],
  CompleteWish: ['resident', 'owner', 'party_representative'],
  RateWish: ['resident', 'owner'],
  CancelWish: ['resident', 'owner', 'clerk', 'convener'],
  OpenEvaluation: ['clerk', 'convener'],
  AnswerEvaluation: ['resident', 'owner'],
  CloseEvaluation: ['clerk', 'convener'],
  AppointTreasurer: ['admin'],
  RevokeTreasurer: ['admin'],
  // Money: a treasurer is a registry appointment the decider checks, not a token role.
  OpenCrowdfunding: ['convener', 'clerk'],
  PledgeToCrowdfunding: ['resident', 'owner', 'party_representative'],
  RecordPledgeReceipt: ['resident', 'owner', 'clerk', 'convener'],
  CloseCrowdfunding: ['convener', 'clerk'],
  RecordRefund: ['resident', 'owner', 'clerk', 'convener'],
  OpenFund: ['clerk', 'admin'],
  PostFundEntry: ['resident', 'owner', 'clerk', 'convener'],
  ReverseFundEntry: ['resident', 'owner', 'clerk', 'convener'],
  BootstrapAdmin: ['admin'],
  AppointAdmin: ['admin'],
  RevokeAdmin: ['admin'],
  AppointOfficial: ['admin'],
  RevokeOfficial: ['admin'],
};

// Routes that are not domain commands, with who may use them.
const others: Record<string, Role[]> = {
  'get /v1/clock': [...Role.options],
  'post /v1/communities/{communityId}/registry/import': ['clerk', 'admin'],
  'post /v1/communities/{communityId}/attachments': [
    'resident',
    'owner',
    'party_representative',
    'clerk',
    'convener',
    'admin',
  ],
};

const roles: Role[] = [...Role.options];
const people: Record<Role, Principal> = {
  resident: { personId: 'res-1', role: 'resident', communities: ['c1'] },
  owner: { personId: 'own-1', role: 'owner', communities: ['c1'] },
  proxy: { personId: 'pxy-1', role: 'proxy', communities: ['c1'] },
  clerk: { personId: 'clk-1', role: 'clerk', communities: ['c1'] },
  party_representative: {
    personId: 'rep-1',
    role: 'party_representative',
    communities: ['c1'],
    partyId: 'pty-1',
  },
  convener: { personId: 'cnv-1', role: 'convener', communities: ['c1'] },
  official: { personId: 'off-1', role: 'official', communities: ['*'] },
  admin: { personId: 'adm-1', role: 'admin', communities: ['c1'] },
};

const auth = testAuth();
let store: PostgresEventStore;
let app: ReturnType<typeof createApp>;
const tokens = {} as Record<Role, string>;

async function call(path: string, method: string, role: Role, body: unknown) {
  return app.request(path, {
    method,
    headers: { authorization: `Bearer ${tokens[role]}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

beforeAll(async () => {
  store = new PostgresEventStore({ connectionString: await testDatabaseUrl() });
  await store.init();
  app = createApp({ store, verify: auth.verify });
  for (const role of roles) tokens[role] = await auth.token(people[role]);
  const setup: [string, unknown][] = [
    ['/v1/communities/c1', { name: '幸福里社区', kind: 'urban' }],
    [
      '/v1/communities/c1/registry/register-person',
      { personId: 'clk-1', name: '王书记员', adult: true },
    ],
    [
      '/v1/communities/c1/registry/register-person',
      { personId: 'rep-1', name: '李代表', adult: true },
    ],
    [
      '/v1/communities/c1/registry/register-person',
      { personId: 'cnv-1', name: '赵召集人', adult: true },
    ],
    ['/v1/communities/c1/registry/appoint-clerk', { personId: 'clk-1' }],
    [
      '/v1/communities/c1/registry/register-party',
      { partyId: 'pty-1', kind: 'owners-committee', name: '业主委员会' },
    ],
    [
      '/v1/communities/c1/registry/appoint-party-representative',
      { partyId: 'pty-1', personId: 'rep-1' },
    ],
  ];
  for (const [path, body] of setup) {
    const res = await call(path, path.endsWith('/c1') ? 'PUT' : 'POST', 'admin', body);
    expect(res.status, `${path}: ${await res.clone().text()}`).toBe(201);
  }
});
afterAll(() => store.close());

describe('authorisation matrix', () => {
  it('has a rule for every command route and every documented /v1 route', async () => {
    expect(commandRoutes.map((r) => r.definition.name).sort()).toEqual(
      Object.keys(expected).sort(),
    );
    const spec = (await (await app.request('/openapi.json')).json()) as {
      paths: Record<string, object>;
    };
    const documented = Object.entries(spec.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m} ${path}`),
    );
    const routed = [...commandRoutes.map((r) => `${r.method} ${r.path}`), ...Object.keys(others)];
    expect(documented.filter((d) => d.includes('/v1/')).sort()).toEqual(routed.sort());
  });

  for (const route of commandRoutes) {
    const name = route.definition.name;
    it(`${name}: only ${expected[name]?.join(', ')} may send it`, async () => {
      const path = route.path
        .replace('{communityId}', 'c1')
        .replace('{proposalId}', 'p-matrix')
        .replace('{sessionId}', 's-matrix')
        .replace('{requestId}', 'r-matrix');
      for (const role of roles) {
        const body = route.definition.partyField
          ? { [route.definition.partyField]: people[role].partyId ?? 'x' }
          : {};
        const res = await call(path, route.method.toUpperCase(), role, body);
        const problem = (await res.json()) as { code?: string };
        const allowed = expected[name]?.includes(role) ?? false;
        if (allowed) {
          expect(problem.code, `${role} ${name}`).not.toBe('role-forbidden');
          expect(res.status, `${role} ${name}`).not.toBe(401);
        } else {
          expect({ role, status: res.status, code: problem.code }).toEqual({
            role,
            status: 403,
            code: 'role-forbidden',
          });
        }
      }
    });
  }

  for (const [route, allowedRoles] of Object.entries(others)) {
    const [method, template] = route.split(' ') as [string, string];
    it(`${route}: only ${allowedRoles.join(', ')}`, async () => {
      const path = template.replace('{communityId}', 'c1');
      for (const role of roles) {
        const res =
          method === 'get'
            ? await app.request(path, { headers: { authorization: `Bearer ${tokens[role]}` } })
            : await call(path, method.toUpperCase(), role, {});
        const problem = (await res.json()) as { code?: string };
        if (allowedRoles.includes(role)) expect(problem.code, role).not.toBe('role-forbidden');
        else
          expect({ role, status: res.status, code: problem.code }).toEqual({
            role,
            status: 403,
            code: 'role-forbidden',
          });
      }
    });
  }

  it('an official reads but never writes: every command is refused', async () => {
    expect(Object.values(expected).some((r) => r.includes('official'))).toBe(false);
  });

  it('a representative may sign minutes only for their own party', async () => {
    const res = await call(
      '/v1/communities/c1/sessions/s1/sign-minutes',
      'POST',
      'party_representative',
      {
        partyId: 'another-party',
        textHash: 'a'.repeat(64),
      },
    );
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'party-mismatch' });
  });

  it('a clerk token for a person the registry has not appointed is refused', async () => {
    const stranger = await auth.token({ personId: 'nobody', role: 'clerk', communities: ['c1'] });
    const res = await app.request('/v1/communities/c1/proposals/p1/enter-paper-ballot', {
      method: 'POST',
      headers: { authorization: `Bearer ${stranger}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        voterId: 'v1',
        choices: [{ itemId: 'i1', choice: 'yes' }],
        documentRef: 'D1',
        signedBy: 'own-1',
      }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'role-not-registered' });
  });

  it('a convener token for a person outside the registry accepts nothing onto the agenda', async () => {
    const submitted = await call('/v1/communities/c1/proposals', 'POST', 'resident', {
      proposalId: 'p-outsider',
      title: '楼道照明',
      description: '更换楼道灯',
      procedure: 'community-consultation',
    });
    expect(submitted.status).toBe(201);
    const stranger = await auth.token({
      personId: 'nobody',
      role: 'convener',
      communities: ['c1'],
    });
    const refused = await app.request(
      '/v1/communities/c1/proposals/p-outsider/accept-onto-agenda',
      {
        method: 'POST',
        headers: { authorization: `Bearer ${stranger}`, 'content-type': 'application/json' },
        body: JSON.stringify({ concernedPartyIds: [] }),
      },
    );
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'role-not-registered' });
    expect(await store.readStream('proposal-c1.p-outsider')).toHaveLength(1);
    // The same command from a registered person goes through.
    const accepted = await call(
      '/v1/communities/c1/proposals/p-outsider/accept-onto-agenda',
      'POST',
      'convener',
      { concernedPartyIds: [] },
    );
    expect(accepted.status).toBe(201);
  });

  it('only an admin for every community advances the shared simulated clock', async () => {
    const clock = simulatedClock(new Date('2026-03-01T00:00:00.000Z'));
    const demo = createApp({ store, verify: auth.verify, clock });
    const advance = async (principal: Principal) =>
      demo.request('/v1/admin/clock/advance', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await auth.token(principal)}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ days: 1 }),
      });
    const day = 24 * 3_600_000;
    const scoped = await advance({ personId: 'adm-2', role: 'admin', communities: ['c2'] });
    expect(scoped.status).toBe(403);
    expect(await scoped.json()).toMatchObject({ code: 'community-forbidden' });
    // The simulated clock also runs with real time: a day forward is an advance, never drift.
    expect(clock.now().getTime()).toBeLessThan(Date.parse('2026-03-02T00:00:00.000Z'));
    const everywhere = await advance({ personId: 'adm-0', role: 'admin', communities: ['*'] });
    expect(everywhere.status).toBe(200);
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(
      Date.parse('2026-03-01T00:00:00.000Z') + day,
    );
  });
});
