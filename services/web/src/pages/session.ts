import type { ItemView, SessionView } from '@yishi/projection/contract';
import { offered } from '../actions/action.ts';
import { type SessionContext, type SessionPlace, sessionActions } from '../actions/session.ts';
import { formatTime } from '../format.ts';
import { type Html, h } from '../html.ts';
import type { Translator } from '../i18n.ts';
import { itemResult, type ResultContext, resolutionRuleWords } from '../views/decision.ts';
import { documentLinks } from '../views/documents.ts';
import { badge, communityPath, layout } from '../views/layout.ts';
import {
  asOfOf,
  communityApi,
  communityCrumb,
  loadCommunity,
  type Page,
  type PageAnswer,
  partyNames,
  personLabel,
  personNames,
  problemPage,
  read,
} from './page.ts';

// 会议: a joint session (多方联席会议) or a residents' council meeting, run item by item:
// notice, attendance, statements, each party's position, the resolution, then the minutes
// drafted by the clerk and signed by every attending party (and council member).

type Minutes = SessionView['minutes'];
type Version = Minutes['versions'][number];

function sessionPath(page: Page, rest = ''): string {
  return communityPath(
    page.communityId,
    `/sessions/${encodeURIComponent(page.param('sid'))}${rest}`,
  );
}

/** Who signs (each attending party, and each attending council member) and who has. */
interface Signers {
  parties: readonly string[];
  members: readonly string[];
  names: ReadonlyMap<string, string>;
  person: (id: string) => string;
}

function signatureList(tr: Translator, signatures: Version['signatures'], who: Signers): Html {
  const line = (label: string, signed: Version['signatures'][number] | undefined) =>
    signed
      ? h`<li>${badge('ok', '✓')} ${tr.t('session.minutes.signedBy', { party: label, person: who.person(signed.personId), at: formatTime(signed.at) })}</li>`
      : h`<li>${badge('warn', '…')} ${tr.t('session.minutes.unsigned', { party: label })}</li>`;
  return h`<ul>${who.parties.map((partyId) =>
    line(
      who.names.get(partyId) ?? partyId,
      signatures.find((s) => s.partyId === partyId),
    ),
  )}${who.members.map((personId) =>
    line(
      `${tr.t('session.member')} ${who.person(personId)}`,
      signatures.find((s) => s.partyId === null && s.personId === personId),
    ),
  )}</ul>`;
}

export async function sessionPage(page: Page): Promise<PageAnswer> {
  const { tr, ctx } = page;
  const sid = page.param('sid');
  const choice = asOfOf(page);
  const [community, result] = await Promise.all([
    loadCommunity(page),
    read<SessionView>(page, communityApi(page, `/sessions/${encodeURIComponent(sid)}`), {
      asOf: choice?.param,
    }),
  ]);
  const crumbs = [communityCrumb(page)];
  if (!result.ok) return problemPage(page, sid, crumbs, result.problem);
  const session = result.data;
  const names = partyNames(community.ok ? community.data : undefined);
  const persons = await personNames(page, [
    session.convenedBy,
    ...session.memberIds,
    ...session.attendance.map((a) => a.personId),
    ...session.agenda.flatMap((a) => [
      ...a.statements.map((s) => s.speakerPersonId),
      ...a.positions.map((p) => p.personId),
    ]),
    ...session.minutes.versions.map((v) => v.writtenBy),
  ]);
  const person = (id: string) => personLabel(tr, persons, id);
  for (const p of session.parties) if (!names.has(p.partyId)) names.set(p.partyId, p.name);
  const base = sessionPath(page);
  const minutes = session.minutes;
  const current =
    minutes.versions.find((v) => v.version === minutes.currentVersion) ?? minutes.versions.at(-1);
  const final = minutes.finalVersion !== null;
  const attendingParties = [
    ...new Set(session.attendance.flatMap((a) => (a.partyId ? [a.partyId] : []))),
  ];
  const attendingMembers = session.memberIds.filter((m) =>
    session.attendance.some((a) => a.personId === m && !a.partyId),
  );
  const signers: Signers = { parties: attendingParties, members: attendingMembers, names, person };
  const joint = session.kind === 'joint-session';
  const c: SessionContext = {
    page,
    base,
    session,
    names,
    joint,
    current,
    final,
    attendingParties,
    attendingMembers,
  };
  // As of a past moment the page only reads: no action is offered.
  const offer = (place: SessionPlace, at: SessionContext = c) =>
    choice ? [] : offered(sessionActions, at, place);

  // Notice and attendance
  const print = (doc: 'notice' | 'minutes', label: 'print.meetingNotice' | 'print.minutes') =>
    h`<div class="actions">${documentLinks(tr, communityApi(page, `/sessions/${encodeURIComponent(sid)}/${doc}`), label, { asOf: choice?.param })}</div>`;
  const notice = session.noticeAt
    ? h`<p>${badge('ok', '✓')} ${tr.t('session.noticeAt', { at: formatTime(session.noticeAt) })}</p>${print('notice', 'print.meetingNotice')}`
    : h`<p>${badge('warn', '…')} ${tr.t('session.noNotice')}</p>${offer('notice')}`;

  const partiesTable = h`<div class="scroll"><table>
  <caption class="visually-hidden">${tr.t('session.parties')}</caption>
  <thead><tr><th scope="col">${tr.t('session.parties')}</th><th scope="col">${tr.t('session.attendance')}</th></tr></thead>
  <tbody>${session.parties.map((p) => {
    const present = session.attendance.find((a) => a.partyId === p.partyId);
    return h`<tr><th scope="row">${p.name} <span class="muted">(${tr.label('partyKind', p.kind)})</span>${
      session.requiredPartyIds.includes(p.partyId)
        ? h` ${badge('info', tr.t('session.required'))}`
        : undefined
    }</th><td>${present ? h`${badge('ok', '✓')} ${person(present.personId)} · ${formatTime(present.at)}` : h`<span class="muted">${tr.t('session.absent')}</span>`}</td></tr>`;
  })}</tbody></table></div>
  ${
    session.attendance.filter((a) => !a.partyId).length
      ? h`<p>${tr.t('session.attendance')}${tr.colon}${session.attendance
          .filter((a) => !a.partyId)
          .map((a) => person(a.personId))
          .join(tr.sep)}</p>`
      : undefined
  }
  ${session.memberIds.length ? h`<p>${tr.t('session.members')}${tr.colon}${session.memberIds.map(person).join(tr.sep)}</p>` : undefined}`;

  const attendanceForm = offer('attendance');

  // The agenda, item by item
  const items: ItemView[] = session.agenda.map((a) => ({
    itemId: a.itemId,
    title: a.title,
    kind: 'motion',
    options: [],
  }));
  const rc: ResultContext = { tr, items, partyNames: names };
  const agenda = session.agenda.map((item) => {
    const forms = offer('item', { ...c, item });
    const headingId = `item-${item.itemId}`;
    return h`<section class="panel" aria-labelledby="${headingId}">
  <h3 id="${headingId}">${item.title}</h3>
  ${
    item.proposalId
      ? h`<p>${tr.t('session.proposal')}${tr.colon}<a href="${communityPath(page.communityId, `/proposals/${encodeURIComponent(item.proposalId)}`)}">${item.proposalId}</a></p>`
      : undefined
  }
  ${item.concernedPartyIds.length ? h`<p class="muted">${tr.t('proposal.concerned')}${tr.colon}${item.concernedPartyIds.map((p) => names.get(p) ?? p).join(tr.sep)}</p>` : undefined}
  <h4>${tr.t('session.statements')}</h4>
  ${
    item.statements.length
      ? h`<ul>${item.statements.map((s) => h`<li><strong>${person(s.speakerPersonId)}${s.partyId ? `${tr.open}${names.get(s.partyId) ?? s.partyId}${tr.close}` : ''}</strong>${tr.colon}${s.text} <span class="muted">${formatTime(s.at)}</span></li>`)}</ul>`
      : h`<p class="muted">—</p>`
  }
  <h4>${tr.t('session.positions')}</h4>
  ${
    item.positions.length
      ? h`<ul>${item.positions.map((p) => h`<li><strong>${p.partyId ? (names.get(p.partyId) ?? p.partyId) : person(p.personId)}</strong>${tr.colon}${tr.has('position', p.position) ? tr.label('position', p.position) : tr.label('choice', p.position)}${p.reason ? `${tr.open}${p.reason}${tr.close}` : ''} <span class="muted">${person(p.personId)} · ${formatTime(p.at)}</span></li>`)}</ul>`
      : h`<p class="muted">—</p>`
  }
  <h4>${tr.t('session.resolution')}</h4>
  ${
    item.resolution
      ? h`${itemResult({ itemId: item.itemId, outcome: item.resolution.outcome, result: item.resolution.result }, rc, 4)}
      ${item.resolution.dissentingPartyIds.length ? h`<p>${tr.t('session.dissent', { parties: item.resolution.dissentingPartyIds.map((p) => names.get(p) ?? p).join(tr.sep) })}</p>` : undefined}`
      : h`<p class="muted">${tr.t('session.unresolved')}</p>`
  }
  ${forms}
</section>`;
  });

  // Minutes
  const minutesForms = offer('minutes');

  const minutesBody = current
    ? h`<p>${tr.t('session.minutes.version', { version: current.version })} · ${person(current.writtenBy)} · ${formatTime(current.writtenAt)}
      ${final ? h` ${badge('ok', tr.t('session.minutes.final', { at: formatTime(current.finalisedAt) }))}` : undefined}
      ${minutes.publishedAt ? h` ${badge('ok', tr.t('session.minutes.published', { at: formatTime(minutes.publishedAt) }))}` : undefined}</p>
      <pre class="minutes">${current.text}</pre>
      <h3>${tr.t('session.minutes.signatures')}</h3>
      ${signatureList(tr, current.signatures, signers)}
      ${print('minutes', 'print.minutes')}
      ${
        minutes.corrections.length
          ? h`<h3>${tr.t('session.minutes.corrections')}</h3>${minutes.corrections.map(
              (
                c,
              ) => h`<div class="panel"><p>${c.correctionId} · ${c.reason ?? ''} ${c.final ? badge('ok', '✓') : badge('warn', '…')}</p><pre class="minutes">${c.text}</pre>
              ${signatureList(tr, c.signatures, signers)}</div>`,
            )}`
          : undefined
      }`
    : h`<p class="muted">${tr.t('session.minutes.none')}</p>`;

  const body = h`<h1>${session.title}</h1>
${
  session.asOf
    ? h`<div class="banner warn" role="status"><p>${tr.t('asof.showing', { at: choice?.label ?? '', position: session.asOf.position })}</p><p><a href="${base}">${tr.t('asof.clear')}</a></p></div>`
    : undefined
}
<p>${badge('info', tr.has('sessionKind', session.kind) ? tr.label('sessionKind', session.kind) : session.kind)}
${final ? badge('ok', tr.label('eventType', 'MinutesFinalised')) : undefined}
${minutes.publishedAt ? badge('ok', tr.label('eventType', 'MinutesPublished')) : undefined}</p>
<dl class="facts">
  <dt>${tr.t('session.scheduledAt')}</dt><dd>${formatTime(session.scheduledAt)}</dd>
  <dt>${tr.t('session.rule')}</dt><dd>${joint ? resolutionRuleWords(tr, session.resolutionRule) : tr.label('sessionKind', session.kind)}</dd>
  <dt>${tr.label('role', 'convener')}</dt><dd>${tr.t('session.convenedBy', { who: person(session.convenedBy), at: formatTime(session.convenedAt) })}</dd>
</dl>
<section aria-labelledby="notice"><h2 id="notice">${tr.t('session.notice')}</h2>${notice}</section>
<section aria-labelledby="attendance"><h2 id="attendance">${tr.t('session.attendance')}</h2>${partiesTable}${attendanceForm}</section>
<section aria-labelledby="agenda"><h2 id="agenda">${tr.t('session.agenda')}</h2>${agenda}</section>
<section aria-labelledby="minutes"><h2 id="minutes">${tr.t('session.minutes')}</h2>${minutesBody}${minutesForms}</section>`;

  return {
    html: layout(ctx, {
      title: session.title,
      crumbs: [...crumbs, { label: session.title }],
      body,
    }),
  };
}
