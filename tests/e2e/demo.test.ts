import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresEventStore, type RecordedEvent, START } from '@yishi/event-store';
import {
  createIdentityDb,
  type IdentityDb,
  identityKey,
  TablePhoneDirectory,
} from '@yishi/identity';
import { freePort } from '@yishi/local-postgres';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../../scripts/demo/client.ts';
import { generateCommunity } from '../../scripts/demo/community.ts';
import { participationDemo } from '../../scripts/demo/participation.ts';
import { DEMO_COUNCIL, type DemoResult, demoLinks, runDemo } from '../../scripts/demo/scenarios.ts';
import { type ServiceProcess, startServiceProcess } from './processes.ts';

// Both services and the console as separate processes on the test run's PostgreSQL; the demo's
// six scenarios driven over HTTP, then some of its people signing in to the console by phone;
// then the record is checked: decisions, figures, minutes, chains.

const secret = 'e2e-demo-secret-e2e-demo-secret-e2e';
let command: ServiceProcess;
let projection: ServiceProcess;
let web: ServiceProcess;
let identityDb: IdentityDb;
let store: PostgresEventStore;
let api: Api;
let result: DemoResult;
const community = generateCommunity('e2e');
const lines: string[] = [];

beforeAll(async () => {
  const databaseUrl = await testDatabaseUrl();
  // The projection service generates the log's signing key there: not in the checkout's .data.
  const dataDir = await mkdtemp(join(tmpdir(), 'yishi-e2e-'));
  const env = {
    DATABASE_URL: databaseUrl,
    JWT_SECRET: secret,
    LOG_LEVEL: 'warn',
    DEMO_CLOCK: '1',
    DATA_DIR: dataDir,
  };
  const ports = { command: await freePort(), projection: await freePort(), web: await freePort() };
  [command, projection] = await Promise.all([
    startServiceProcess('command', ports.command, env),
    startServiceProcess('projection', ports.projection, { ...env, DEMO_CLOCK: '0' }),
  ]);
  web = await startServiceProcess('web', ports.web, {
    ...env,
    DEMO_CLOCK: '0',
    COMMAND_PORT: String(ports.command),
    PROJECTION_PORT: String(ports.projection),
  });
  identityDb = createIdentityDb(databaseUrl);
  api = new Api({
    commandUrl: command.url,
    projectionUrl: projection.url,
    communityId: community.communityId,
    secret: new TextEncoder().encode(secret),
  });
  const phones = new TablePhoneDirectory(
    identityDb,
    identityKey({ JWT_SECRET: secret, DATA_DIR: '.data' }),
  );
  result = await runDemo(api, community, (line) => lines.push(line), {
    phones,
    webUrl: web.url,
  });
  await participationDemo(api, community, (line) => lines.push(line));
  store = new PostgresEventStore({ connectionString: databaseUrl });
}, 180_000);

afterAll(async () => {
  await store?.close();
  await identityDb?.destroy();
  const codes = await Promise.all([command?.stop(), projection?.stop(), web?.stop()]);
  expect(codes).toEqual([0, 0, 0]);
});

async function decision(proposalId: string) {
  const events = await store.readStream(`proposal-e2e.${proposalId}`);
  const decided = events.find((e) => e.type === 'ProposalDecided');
  expect(decided, `${proposalId}: ${events.map((e) => e.type).join(', ')}`).toBeDefined();
  return {
    events,
    data: decided!.data as {
      outcome: string;
      items: { itemId: string; result: Record<string, unknown> }[];
    },
  };
}

describe('the demo, end to end across processes', () => {
  it('discussed a proposal, adopted a resident’s amendment, and a micro-wish was done', async () => {
    const types = async (streamId: string) => (await store.readStream(streamId)).map((e) => e.type);
    expect(await types('discussion-e2e.handrails')).toEqual([
      'CommentPosted',
      'CommentPosted',
      'CommentPosted',
    ]);
    expect(await types('proposal-e2e.handrails')).toContain('ProposalAmended');
    expect(await types('wish-e2e.glasses')).toEqual([
      'WishPosted',
      'WishClaimed',
      'WishCompleted',
      'WishRated',
    ]);
  });

  it('registered the compound', () => {
    expect(result.counts.units).toBe(680);
    expect(result.counts.households).toBeGreaterThan(400);
    expect(lines.join('\n')).toContain('开发商未售 50 个');
  });

  it('(1) residents chose a renovation plan by instant run-off, with every round', async () => {
    const { data } = await decision('renovation');
    const item = data.items[0]!;
    expect(data.outcome).toBe('adopted');
    expect(item.result).toMatchObject({ rule: 'select-plan', outcome: 'chosen' });
    const figures = item.result.figures as {
      rounds: { counts: { votes: number }[] }[];
      ballots: number;
    };
    expect(figures.ballots).toBe(result.ballots.renovation);
    for (const round of figures.rounds) {
      expect(round.counts.reduce((a, c) => a + c.votes, 0)).toBeLessThanOrEqual(figures.ballots);
    }
  });

  it('(5) the owners of one entrance decided their lift, each with a share of its cost', async () => {
    const { data, events } = await decision('lift');
    const opened = events.find((e) => e.type === 'VotingOpened')!.data as {
      scope: unknown;
      electorate: { unitIds: string[] }[];
    };
    expect(opened.scope).toEqual({ kind: 'building', building: '5号楼', entrance: '2单元' });
    // Every unit voted for lies in that entrance (doors 5–8 of building 5).
    const units = opened.electorate.flatMap((v) => v.unitIds);
    expect(units.length).toBeGreaterThan(0);
    expect(units.every((u) => /^b5-\d0[5-8]$/.test(u))).toBe(true);
    expect(result.lift.ballots).toBeGreaterThan(0);
    expect(result.lift.ballots).toBeLessThanOrEqual(opened.electorate.length);
    expect(['adopted', 'rejected']).toContain(data.outcome);
    expect(lines.join('\n')).toMatch(/5号楼2单元加装电梯（本单元业主决定）.*分摊 ¥[\d,]+\.\d\d/);
  });

  it('(2) owners raised the maintenance fund: both Art. 278 tests pass, figures add up', async () => {
    const { data, events } = await decision('fund');
    const result278 = data.items[0]!.result as {
      outcome: string;
      tests: { name: string; value: number; base: number; passed: boolean }[];
      figures: Record<string, { owners: number; areaCentiM2: number }>;
    };
    expect(result278.outcome).toBe('adopted');
    expect(result278.tests.map((t) => t.name)).toEqual([
      'participation-area',
      'participation-owners',
      'approval-area',
      'approval-owners',
    ]);
    const { yes, no, abstain, participating, total, nonVoting } = result278.figures as Record<
      string,
      { owners: number; areaCentiM2: number }
    >;
    expect(yes!.owners + no!.owners + abstain!.owners).toBe(participating!.owners);
    expect(yes!.areaCentiM2 + no!.areaCentiM2 + abstain!.areaCentiM2).toBe(
      participating!.areaCentiM2,
    );
    expect(participating!.owners + nonVoting!.owners).toBe(total!.owners);
    // Special matter: yes >= 3/4 of participants, by cross-multiplication.
    expect(BigInt(yes!.areaCentiM2) * 4n >= BigInt(participating!.areaCentiM2) * 3n).toBe(true);
    const vias = events
      .filter((e) => e.type === 'BallotCast')
      .map((e) => (e.data as { via: unknown }).via);
    expect(JSON.stringify(vias)).toContain('proxy');
    expect(JSON.stringify(vias)).toContain('paper');
  });

  it('(3) the joint session minutes were signed by every attending party, dissent recorded', async () => {
    const events = await store.readStream('session-e2e.parking');
    const resolved = events.find((e) => e.type === 'ItemResolved');
    expect(resolved?.data).toMatchObject({ outcome: 'adopted', dissentingPartyIds: ['wy'] });
    const signed = events
      .filter((e) => e.type === 'MinutesSigned')
      .map((e) => (e.data as { partyId: string }).partyId);
    expect(signed.sort()).toEqual(['dw', 'jwh', 'wsz', 'wy', 'ywh']);
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['MinutesAmended', 'MinutesFinalised', 'MinutesPublished']),
    );
  });

  it('(3) the published minutes name the scan of the signed paper, which has a preview', async () => {
    const published = (await store.readStream('session-e2e.parking')).find(
      (e) => e.type === 'MinutesPublished',
    );
    expect(published?.data.documentRef).toBe(`attachment:${result.minutesScan}`);
    const uploaded = await store.readStream(`attachment-e2e.${result.minutesScan}`);
    expect(uploaded[0]?.data).toMatchObject({ sha256: result.minutesScan, mediaType: 'image/png' });
    const official = api.as('official', 'off-1');
    const base = `/v1/communities/e2e/attachments/${result.minutesScan}`;
    expect((await api.read(official, base)).status).toBe(200);
    // The preview answers (a WebP: not JSON, so the body reads as null here).
    expect(await api.read(official, `${base}/preview`)).toEqual({ status: 200, body: null });
  });

  it('(4) publication, the objection and its answer, implementation and satisfaction are on record', async () => {
    const events = await store.readStream('proposal-e2e.fund');
    const types = events.map((e) => e.type);
    expect(events.find((e) => e.type === 'ProposalPublished')?.data).toMatchObject({
      implementationResponsibleId: community.clerkId,
    });
    for (const type of [
      'ProposalPublished',
      'ObjectionRaised',
      'ObjectionAnswered',
      'ImplementationReported',
      'FeedbackReported',
      'SatisfactionRated',
    ]) {
      expect(types, type).toContain(type);
    }
  });

  it('every event carries the simulated-clock mark, and every hash chain verifies', async () => {
    const events = await store.readStream('proposal-e2e.fund');
    expect(events.every((e) => e.metadata.simulatedClock === true)).toBe(true);
    expect(await store.verifyAll()).toMatchObject({ ok: true });
  });

  it('the read side follows the whole demo (objection answered, implementation, feedback)', async () => {
    const official = api.as('official', 'off-1');
    let stage = '';
    for (let i = 0; i < 100 && stage !== 'feedback'; i++) {
      const read = await api.read(official, '/v1/communities/e2e/proposals/fund');
      stage = (read.body as { stage?: { kind: string } } | null)?.stage?.kind ?? '';
      if (stage !== 'feedback') await new Promise((r) => setTimeout(r, 150));
    }
    expect(stage).toBe('feedback');
  });

  it('its people sign in to the console by phone, each in a capacity the registry gives', async () => {
    expect(result.signedIn.map((s) => s.capacity)).toEqual([
      '以业主身份',
      '以书记员身份',
      '以召集人身份',
      '以街道/民政工作人员身份',
    ]);
    for (const signedIn of result.signedIn) {
      expect(signedIn.page, signedIn.who).toContain('幸福里社区');
      expect(signedIn.page, signedIn.who).toContain('续筹专项维修资金');
    }
    // The official oversees the demo's community only: the installation says so.
    expect(lines.join('\n')).toContain('任命街道工作人员 off1');
  });

  it('every page the demo prints when done answers (no 404 link)', async () => {
    const official = api.as('official', 'off-1');
    for (const link of demoLinks(community.communityId, result)) {
      const read = await api.read(official, link.path);
      expect(read.status, `${link.label} ${link.path}`).toBe(200);
    }
  });

  it('(5) the scheduler reminded, closed the votes and convened 逢四说事, as the system', async () => {
    const automatic = { actorId: 'system', actorRole: 'system', automatic: true };
    for (const proposalId of ['renovation', 'fund']) {
      const { events } = await decision(proposalId);
      expect(events.find((e) => e.type === 'VotingClosed')?.metadata).toMatchObject(automatic);
    }
    const { events: fund } = await decision('fund');
    const reminded = fund.filter((e) => e.type === 'NonVotersReminded');
    expect(reminded).toHaveLength(1);
    expect((reminded[0]!.data.personIds as string[]).length).toBeGreaterThan(0);
    const convened: RecordedEvent[] = [];
    for (let from = START; ; ) {
      const page = await store.readAll(from, 5_000);
      convened.push(...page.events.filter((e) => e.type === 'SessionConvened'));
      if (page.events.length < 5_000) break;
      from = page.checkpoint;
    }
    const regular = convened.filter((e) => e.data.standingBodyId === DEMO_COUNCIL);
    expect(regular).toHaveLength(1);
    expect(regular[0]!.metadata).toMatchObject(automatic);
    expect(regular[0]!.data).toMatchObject({
      kind: 'residents-council',
      venue: '社区议事厅',
      agenda: [{ proposalId: 'corridor' }, { proposalId: 'charging' }],
    });
  });

  it('the projection service serves the proposals', async () => {
    const official = api.as('official', 'off-1');
    const read = await api.read(official, '/v1/communities/e2e/proposals');
    expect(read.status).toBe(200);
    expect(JSON.stringify(read.body)).toContain('续筹专项维修资金');
  });

  it('published the maintenance fund’s spending with its decision, and a funded campaign', async () => {
    const official = api.as('official', 'off-1');
    // The read side catches up with the demo's last commands.
    let accounts = await api.read(official, '/v1/communities/e2e/funds/maintenance');
    for (let i = 0; i < 100; i++) {
      const campaign = await api.read(official, '/v1/communities/e2e/crowdfunding/courtyard');
      if ((campaign.body as { status?: string } | null)?.status === 'funded') break;
      await new Promise((r) => setTimeout(r, 150));
    }
    accounts = await api.read(official, '/v1/communities/e2e/funds/maintenance');
    expect(accounts.status).toBe(200);
    const body = accounts.body as {
      balanceFen: number;
      incomeFen: number;
      spendingFen: number;
      lines: { entryId: string; kind: string; decision: { proposalId: string } | null }[];
    };
    expect(body.spendingFen).toBe(17_850_000);
    expect(body.balanceFen).toBe(body.incomeFen - body.spendingFen);
    expect(body.lines.find((l) => l.kind === 'spending')?.decision?.proposalId).toBe('roof3');
    const campaign = await api.read(official, `/v1/communities/e2e/crowdfunding/courtyard`);
    expect(campaign.body).toMatchObject({ status: 'funded', receivedFen: 5_000_000 });
    expect(lines.some((l) => l.includes('(6)') && l.includes('众筹成功'))).toBe(true);
  });
});
