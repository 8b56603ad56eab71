import { formatArea } from '@yishi/presentation';
import type {
  CommunityView,
  ProposalList,
  ProposalSummary,
  SessionList,
  SessionSummary,
  StandingBodyList,
  StandingBodyView,
} from '@yishi/projection/contract';
import { offered } from '../actions/action.ts';
import { standingBodyActions } from '../actions/standing-body.ts';
import type { Result } from '../api.ts';
import { formatTime } from '../format.ts';
import { type Html, h } from '../html.ts';
import type { Translator } from '../i18n.ts';
import { may } from '../viewer.ts';
import { badge, communityPath, layout, outcomeBadge, queryProblem } from '../views/layout.ts';
import {
  communityApi,
  loadCommunity,
  type Page,
  type PageAnswer,
  personLabel,
  personNames,
  read,
  statusOf,
} from './page.ts';
import { unregisteredCommunity } from './setup.ts';

function proposalCard(page: Page, p: ProposalSummary): Html {
  const { tr } = page;
  const voting = p.stage.kind === 'decision' && !p.outcome && p.status === 'active';
  return h`<li>
  <a class="title" href="${communityPath(page.communityId, `/proposals/${encodeURIComponent(p.proposalId)}`)}">${p.title}</a>
  <div>
    ${tr.has('procedure', p.procedure) ? tr.label('procedure', p.procedure) : p.procedure} ·
    ${badge('info', tr.label('stageKind', p.stage.kind))}
    ${voting ? badge('warn', tr.t('vote.title')) : undefined}
    ${outcomeBadge(tr, p.outcome)}
    ${p.status === 'withdrawn' ? badge('bad', tr.label('eventType', 'ProposalWithdrawn')) : undefined}
  </div>
  <span class="muted">${formatTime(p.submittedAt)}${p.comments ? h` · <span data-comments="${p.comments}">${tr.t('community.comments', { count: p.comments })}</span>` : undefined}</span>
</li>`;
}

function sessionCard(page: Page, s: SessionSummary): Html {
  const { tr } = page;
  const published = typeof s.minutesPublishedAt === 'string';
  const final = typeof s.minutesFinalVersion === 'number';
  return h`<li>
  <a class="title" href="${communityPath(page.communityId, `/sessions/${encodeURIComponent(s.sessionId)}`)}">${s.title}</a>
  <div>${tr.has('sessionKind', s.kind) ? tr.label('sessionKind', s.kind) : s.kind} · ${formatTime(s.scheduledAt)}
  ${published ? badge('ok', tr.label('eventType', 'MinutesPublished')) : final ? badge('ok', tr.label('eventType', 'MinutesFinalised')) : undefined}</div>
</li>`;
}

/** When a body meets, in words: 逢四说事 is "每月 4、14、24 日 19:00". */
function meetsWords(tr: Translator, schedule: StandingBodyView['schedule']): string {
  return schedule.kind === 'days-of-month'
    ? tr.t('body.meets.days', { days: schedule.days.join(tr.sep), time: schedule.time })
    : tr.t('body.meets.weekday', {
        n: schedule.nth,
        weekday: tr.lookup(`body.weekday.${schedule.weekday}`) ?? String(schedule.weekday),
        time: schedule.time,
      });
}

function standingBodyCard(
  tr: Translator,
  names: ReadonlyMap<string, string>,
  b: StandingBodyView,
): Html {
  return h`<li data-body="${b.bodyId}">
  <strong>${b.name}</strong> <span class="muted">(${b.bodyId})</span>
  <div>${tr.label('sessionKind', b.kind)} · ${b.venue} · ${meetsWords(tr, b.schedule)}
  ${b.dissolved ? badge('bad', tr.t('body.dissolved')) : undefined}</div>
  ${b.nextMeetingAt ? h`<div>${tr.t('body.nextMeeting', { at: formatTime(b.nextMeetingAt) })}</div>` : undefined}
  ${b.memberIds.length ? h`<span class="muted">${tr.t('body.memberList', { members: b.memberIds.map((id) => personLabel(tr, names, id)).join(tr.sep) })}</span>` : undefined}
</li>`;
}

async function standingBodies(page: Page, bodies: Result<StandingBodyList>): Promise<Html> {
  const { tr } = page;
  if (!bodies.ok) return queryProblem(tr, bodies.problem);
  const active = bodies.data.items.filter((b) => !b.dissolved);
  const names = await personNames(
    page,
    active.flatMap((b) => b.memberIds),
  );
  return bodies.data.items.length
    ? h`<ul class="cards">${bodies.data.items.map((b) => standingBodyCard(tr, names, b))}</ul>`
    : h`<p>${tr.t('body.none')}</p>`;
}

export function registrySummary(tr: Translator, community: CommunityView): Html {
  const area = Number(community.counts.areaCentiM2);
  return h`<details class="panel">
  <summary><h2>${tr.t('community.registry')}</h2></summary>
  <p>${tr.t('community.counts', {
    units: community.counts.units,
    owners: community.counts.owners,
    area: tr.t('unit.m2', { value: formatArea(Number.isSafeInteger(area) ? area : 0) }),
    persons: community.counts.persons,
    households: community.counts.households,
  })}</p>
  <h3>${tr.t('community.parties')}</h3>
  <ul>${community.parties
    .filter((p) => p.active)
    .map(
      (p) =>
        h`<li>${p.name} <span class="muted">(${p.partyId} · ${tr.label('partyKind', p.kind)}) · ${tr.t('community.representatives')}${tr.colon}${p.representativeIds.join(tr.sep) || '—'}</span></li>`,
    )}</ul>
  <p>${tr.t('community.clerks')}${tr.colon}${community.clerkIds.join(tr.sep) || '—'}</p>
</details>`;
}

export async function communityPage(page: Page): Promise<PageAnswer> {
  const { tr, viewer } = page;
  const [community, proposals, sessions, bodies] = await Promise.all([
    loadCommunity(page),
    read<ProposalList>(page, communityApi(page, '/proposals'), { limit: 200 }),
    read<SessionList>(page, communityApi(page, '/sessions'), { limit: 100 }),
    read<StandingBodyList>(page, communityApi(page, '/standing-bodies')),
  ]);
  if (!community.ok && community.problem.status !== 503) {
    // Not registered yet: an administrator registers it here (the first visit).
    const register = community.problem.status === 404 ? unregisteredCommunity(page) : undefined;
    if (register) return register;
    return {
      status: statusOf(community.problem),
      html: layout(page.ctx, {
        title: page.communityId,
        body: h`<h1>${page.communityId}</h1>${queryProblem(tr, community.problem)}`,
      }),
    };
  }
  const name = page.ctx.community?.name ?? page.communityId;
  const actions: Html[] = [];
  if (may(viewer, 'SubmitProposal')) {
    actions.push(
      h`<a class="button" href="${communityPath(page.communityId, '/proposals/new')}">${tr.t('community.newProposal')}</a>`,
    );
  }
  if (may(viewer, 'ConveneSession')) {
    actions.push(
      h`<a class="button" href="${communityPath(page.communityId, '/sessions/new')}">${tr.t('community.newSession')}</a>`,
    );
  }
  if (may(viewer, 'RegisterPerson')) {
    actions.push(
      h`<a class="button secondary" href="${communityPath(page.communityId, '/setup')}">${tr.t('nav.setup')}</a>`,
      h`<a class="button secondary" href="${communityPath(page.communityId, '/registry')}">${tr.t('nav.registry')}</a>`,
    );
  }
  actions.push(
    h`<a class="button secondary" href="${communityPath(page.communityId, '/wishes')}">${tr.t('nav.wishes')}</a>`,
    h`<a class="button secondary" href="${communityPath(page.communityId, '/evaluations')}">${tr.t('nav.evaluations')}</a>`,
    h`<a class="button secondary" href="${communityPath(page.communityId, '/residents-meeting-requests')}">${tr.t('nav.meetingRequests')}</a>`,
    h`<a class="button secondary" href="${communityPath(page.communityId, '/decisions')}">${tr.t('nav.register')}</a>`,
    h`<a class="button secondary" href="${communityPath(page.communityId, '/verify')}">${tr.t('nav.verify')}</a>`,
  );
  const list = (items: ProposalSummary[], empty: string) =>
    items.length
      ? h`<ul class="cards">${items.map((p) => proposalCard(page, p))}</ul>`
      : h`<p>${empty}</p>`;
  const open = proposals.ok ? proposals.data.items.filter((p) => p.status === 'active') : [];
  // What concerns this person now: open votes for voters, unfinished sessions for parties.
  const voting = open.filter((p) => p.stage.kind === 'decision' && !p.outcome);
  const voter = ['owner', 'resident', 'proxy'].includes(viewer.role);
  const pendingSessions =
    viewer.role === 'party_representative' && sessions.ok
      ? sessions.data.items.filter(
          (s) => s.kind === 'joint-session' && typeof s.minutesPublishedAt !== 'string',
        )
      : [];
  const forYou =
    (voter && voting.length) || pendingSessions.length
      ? h`<section aria-labelledby="for-you" class="panel">
  <h2 id="for-you">${tr.t('community.forYou')}</h2>
  ${voter && voting.length ? h`<p>${tr.t('community.forYou.votes')}</p><ul class="cards">${voting.map((p) => proposalCard(page, p))}</ul>` : undefined}
  ${pendingSessions.length ? h`<p>${tr.t('community.forYou.sessions')}</p><ul class="cards">${pendingSessions.map((s) => sessionCard(page, s))}</ul>` : undefined}
</section>`
      : undefined;
  const closed = proposals.ok ? proposals.data.items.filter((p) => p.status !== 'active') : [];
  return {
    html: layout(page.ctx, {
      title: name,
      body: h`<h1>${name}</h1>
<div class="actions">${actions}</div>
${forYou}
<section aria-labelledby="open-proposals">
  <h2 id="open-proposals">${tr.t('community.proposals')}</h2>
  ${proposals.ok ? list(open, tr.t('community.none.proposals')) : queryProblem(tr, proposals.problem)}
</section>
<section aria-labelledby="sessions">
  <h2 id="sessions">${tr.t('community.sessions')}</h2>
  ${
    sessions.ok
      ? sessions.data.items.length
        ? h`<ul class="cards">${sessions.data.items.map((s) => sessionCard(page, s))}</ul>`
        : h`<p>${tr.t('community.none.sessions')}</p>`
      : queryProblem(tr, sessions.problem)
  }
</section>
<section aria-labelledby="standing-bodies">
  <h2 id="standing-bodies">${tr.t('body.title')}</h2>
  ${await standingBodies(page, bodies)}
  ${offered(standingBodyActions, {
    page,
    base: communityPath(page.communityId, '/standing-bodies'),
    community: community.ok ? community.data : undefined,
    bodies: bodies.ok ? bodies.data.items : undefined,
  })}
</section>
${
  closed.length
    ? h`<section aria-labelledby="closed-proposals"><h2 id="closed-proposals">${tr.t('community.closed')}</h2>${list(closed, '')}</section>`
    : undefined
}
${community.ok ? registrySummary(tr, community.data) : undefined}`,
    }),
  };
}
