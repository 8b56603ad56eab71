import { textHashOf } from '@yishi/domain';
import type { ItemView, SessionView } from '@yishi/projection/contract';
import { formatTime } from '../format.ts';
import { type Html, h } from '../html.ts';
import type { Translator } from '../i18n.ts';
import { may } from '../viewer.ts';
import { itemResult, type ResultContext } from '../views/decision.ts';
import { actionForm, choiceGroup, FormScope, selectField, textField } from '../views/forms.ts';
import { badge, communityPath, layout, queryProblem } from '../views/layout.ts';
import {
  asOfOf,
  communityApi,
  loadCommunity,
  type Page,
  type PageAnswer,
  partyNames,
  personLabel,
  personNames,
  read,
  statusOf,
} from './page.ts';

// 会议: a joint session (多方联席会议) or a residents' council meeting, run item by item:
// notice, attendance, statements, each party's position, the resolution, then the minutes
// drafted by the clerk and signed by every attending party.

type Minutes = SessionView['minutes'];
type Version = Minutes['versions'][number];

function sessionPath(page: Page, rest = ''): string {
  return communityPath(
    page.communityId,
    `/sessions/${encodeURIComponent(page.param('sid'))}${rest}`,
  );
}

function ruleText(tr: Translator, rule: SessionView['resolutionRule']): string {
  if (rule.kind === 'qualified-majority') {
    const t = rule.threshold as
      | { numerator?: number; denominator?: number; inclusive?: boolean }
      | undefined;
    return t?.numerator === 1 && t.denominator === 2 && !t.inclusive
      ? tr.t('convene.rule.majority')
      : tr.t('convene.rule.twoThirds');
  }
  return rule.among === 'attending'
    ? tr.t('convene.rule.consensusAll')
    : tr.t('convene.rule.consensus');
}

function signatureList(
  tr: Translator,
  version: Version,
  attending: readonly string[],
  names: ReadonlyMap<string, string>,
): Html {
  return h`<ul>${attending.map((partyId) => {
    const signed = version.signatures.find((s) => s.partyId === partyId);
    const party = names.get(partyId) ?? partyId;
    return signed
      ? h`<li>${badge('ok', '✓')} ${tr.t('session.minutes.signedBy', { party, person: signed.personId, at: formatTime(signed.at) })}</li>`
      : h`<li>${badge('warn', '…')} ${tr.t('session.minutes.unsigned', { party })}</li>`;
  })}</ul>`;
}

export async function sessionPage(page: Page): Promise<PageAnswer> {
  const { tr, viewer, ctx } = page;
  const sid = page.param('sid');
  const choice = asOfOf(page);
  const [community, result] = await Promise.all([
    loadCommunity(page),
    read<SessionView>(page, communityApi(page, `/sessions/${encodeURIComponent(sid)}`), {
      asOf: choice?.param,
    }),
  ]);
  // As of a past moment the page only reads: no action is offered.
  const can = (command: Parameters<typeof may>[1]) => !choice && may(viewer, command);
  const crumbs = [
    { href: communityPath(page.communityId), label: page.ctx.community?.name ?? page.communityId },
  ];
  if (!result.ok) {
    return {
      status: statusOf(result.problem),
      html: layout(ctx, {
        title: sid,
        crumbs: [...crumbs, { label: sid }],
        body: h`<h1>${sid}</h1>${queryProblem(tr, result.problem)}`,
      }),
    };
  }
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
  const over = minutes.versions.length > 0;
  const attendingParties = [
    ...new Set(session.attendance.flatMap((a) => (a.partyId ? [a.partyId] : []))),
  ];
  const joint = session.kind === 'joint-session';
  const partyOptions = session.parties.map((p) => [p.partyId, p.name] as const);

  // Notice and attendance
  const notice = session.noticeAt
    ? h`<p>${badge('ok', '✓')} ${tr.t('session.noticeAt', { at: formatTime(session.noticeAt) })}</p>`
    : h`<p>${badge('warn', '…')} ${tr.t('session.noNotice')}</p>${
        can('GiveSessionNotice')
          ? actionForm(ctx, {
              id: 'give-session-notice',
              action: `${base}/give-session-notice`,
              title: tr.t('action.give-session-notice'),
              submit: tr.t('action.give-session-notice'),
              fields: h`${textField(new FormScope(ctx, 'give-session-notice'), { name: 'text', label: tr.t('action.give-notice.text'), required: true, multiline: true })}
              ${textField(new FormScope(ctx, 'give-session-notice'), { name: 'documentRef', label: tr.t('action.documentRef') })}`,
            })
          : undefined
      }`;

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

  const attendanceForm =
    !over && session.noticeAt && can('RecordAttendance')
      ? (() => {
          const scope = new FormScope(ctx, 'record-attendance');
          const ownParty = viewer.role === 'party_representative' ? viewer.partyId : undefined;
          return actionForm(ctx, {
            id: 'record-attendance',
            action: `${base}/record-attendance`,
            title: tr.t('action.record-attendance'),
            submit: tr.t('action.record-attendance'),
            fields: h`<div class="row">${textField(scope, {
              name: 'personId',
              label: tr.t('action.personId'),
              required: true,
              value: viewer.role === 'clerk' ? '' : viewer.personId,
            })}
            ${
              joint
                ? selectField(
                    scope,
                    {
                      name: 'partyId',
                      label: tr.t('action.attendance.party'),
                      value: ownParty ?? '',
                    },
                    [['', tr.t('action.attendance.noParty')], ...partyOptions],
                  )
                : undefined
            }</div>`,
          });
        })()
      : undefined;

  // The agenda, item by item
  const items: ItemView[] = session.agenda.map((a) => ({
    itemId: a.itemId,
    title: a.title,
    kind: 'motion',
    options: [],
  }));
  const rc: ResultContext = { tr, items, partyNames: names };
  const agenda = session.agenda.map((item) => {
    const id = (name: string) => `${name}-${item.itemId}`;
    const forms: Html[] = [];
    const open = !item.resolution && !over;
    if (open && can('RecordStatement')) {
      const scope = new FormScope(ctx, id('statement'));
      forms.push(
        actionForm(ctx, {
          id: id('statement'),
          action: `${base}/record-statement`,
          title: tr.t('action.record-statement'),
          submit: tr.t('action.record-statement'),
          secondary: true,
          intro: h`<input type="hidden" name="itemId" value="${item.itemId}">`,
          fields: h`${textField(scope, { name: 'text', label: tr.t('action.statement.text'), required: true, multiline: true })}
          ${viewer.role === 'clerk' ? textField(scope, { name: 'speakerPersonId', label: tr.t('action.speaker') }) : undefined}`,
        }),
      );
    }
    const stated = item.positions.some((p) => p.partyId === viewer.partyId);
    if (open && joint && can('StatePosition') && viewer.partyId && !stated) {
      const scope = new FormScope(ctx, id('position'));
      forms.push(
        actionForm(ctx, {
          id: id('position'),
          action: `${base}/state-position`,
          title: `${tr.t('action.state-position')}${tr.open}${names.get(viewer.partyId) ?? viewer.partyId}${tr.close}`,
          submit: tr.t('action.state-position'),
          intro: h`<input type="hidden" name="itemId" value="${item.itemId}">`,
          fields: h`${choiceGroup(
            scope,
            { name: 'position', legend: tr.t('action.position'), required: true },
            (['support', 'oppose', 'abstain'] as const).map(
              (p) => [p, tr.label('position', p)] as const,
            ),
          )}
          ${textField(scope, { name: 'reason', label: tr.t('action.reason'), multiline: true })}`,
        }),
      );
    }
    if (open && !joint && can('CastMemberVote') && session.memberIds.includes(viewer.personId)) {
      const scope = new FormScope(ctx, id('member-vote'));
      forms.push(
        actionForm(ctx, {
          id: id('member-vote'),
          action: `${base}/cast-member-vote`,
          title: tr.t('action.cast-member-vote'),
          submit: tr.t('action.cast-member-vote'),
          intro: h`<input type="hidden" name="itemId" value="${item.itemId}">`,
          fields: choiceGroup(
            scope,
            { name: 'choice', legend: tr.t('action.position'), required: true },
            (['yes', 'no', 'abstain'] as const).map((c) => [c, tr.label('choice', c)] as const),
          ),
        }),
      );
    }
    if (open && can('ResolveItem')) {
      forms.push(
        actionForm(ctx, {
          id: id('resolve'),
          action: `${base}/resolve-item`,
          title: tr.t('action.resolve-item'),
          submit: tr.t('action.resolve-item'),
          intro: h`<input type="hidden" name="itemId" value="${item.itemId}"><p class="muted">${tr.t('session.rule')}${tr.colon}${ruleText(tr, session.resolutionRule)}</p>`,
        }),
      );
    }
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
  const allResolved = session.agenda.every((a) => a.resolution);
  const minutesForms: Html[] = [];
  if (!final && allResolved && can('DraftMinutes') && !current) {
    const scope = new FormScope(ctx, 'draft-minutes');
    minutesForms.push(
      actionForm(ctx, {
        id: 'draft-minutes',
        action: `${base}/draft-minutes`,
        title: tr.t('action.draft-minutes'),
        submit: tr.t('action.draft-minutes'),
        fields: h`${textField(scope, { name: 'text', label: tr.t('action.minutes.text'), required: true, multiline: true })}
        ${textField(scope, { name: 'documentRef', label: tr.t('action.documentRef') })}`,
      }),
    );
  }
  if (
    current &&
    !final &&
    can('SignMinutes') &&
    viewer.partyId &&
    attendingParties.includes(viewer.partyId)
  ) {
    const signed = current.signatures.some((s) => s.partyId === viewer.partyId);
    if (!signed) {
      minutesForms.push(
        actionForm(ctx, {
          id: 'sign-minutes',
          action: `${base}/sign-minutes`,
          title: `${tr.t('action.sign-minutes')}${tr.open}${names.get(viewer.partyId) ?? viewer.partyId}${tr.close}`,
          // The signature names the text shown here: if it changed since, it is refused.
          intro: h`<p>${tr.t('session.minutes.version', { version: current.version })}</p><input type="hidden" name="textHash" value="${textHashOf(current.text)}">`,
          submit: tr.t('action.sign-minutes'),
        }),
      );
    }
  }
  if (current && !final && can('AmendMinutes')) {
    const scope = new FormScope(ctx, 'amend-minutes');
    minutesForms.push(
      h`<details><summary>${tr.t('action.amend-minutes')}</summary>${actionForm(ctx, {
        id: 'amend-minutes',
        action: `${base}/amend-minutes`,
        submit: tr.t('action.amend-minutes'),
        secondary: true,
        fields: h`${textField(scope, { name: 'text', label: tr.t('action.minutes.text'), required: true, multiline: true, value: current.text })}
        ${textField(scope, { name: 'reason', label: tr.t('action.reason'), required: true })}`,
      })}</details>`,
    );
  }
  if (final && !minutes.publishedAt && can('PublishMinutes')) {
    minutesForms.push(
      actionForm(ctx, {
        id: 'publish-minutes',
        action: `${base}/publish-minutes`,
        title: tr.t('action.publish-minutes'),
        submit: tr.t('action.publish-minutes'),
        fields: textField(new FormScope(ctx, 'publish-minutes'), {
          name: 'documentRef',
          label: tr.t('action.documentRef'),
        }),
      }),
    );
  }
  if (final && can('CorrectMinutes')) {
    const scope = new FormScope(ctx, 'correct-minutes');
    minutesForms.push(
      h`<details><summary>${tr.t('action.correct-minutes')}</summary>${actionForm(ctx, {
        id: 'correct-minutes',
        action: `${base}/correct-minutes`,
        submit: tr.t('action.correct-minutes'),
        secondary: true,
        fields: h`${textField(scope, { name: 'text', label: tr.t('action.minutes.text'), required: true, multiline: true })}
        ${textField(scope, { name: 'reason', label: tr.t('action.reason'), required: true })}`,
      })}</details>`,
    );
  }
  for (const correction of minutes.corrections.filter((c) => !c.final)) {
    if (
      can('SignMinutesCorrection') &&
      viewer.partyId &&
      !correction.signatures.some((s) => s.partyId === viewer.partyId)
    ) {
      minutesForms.push(
        actionForm(ctx, {
          id: `sign-${correction.correctionId}`,
          action: `${base}/sign-minutes-correction`,
          title: tr.t('action.sign-minutes-correction'),
          intro: h`<input type="hidden" name="correctionId" value="${correction.correctionId}"><pre class="minutes">${correction.text}</pre>`,
          submit: tr.t('action.sign-minutes-correction'),
        }),
      );
    }
  }

  const minutesBody = current
    ? h`<p>${tr.t('session.minutes.version', { version: current.version })} · ${person(current.writtenBy)} · ${formatTime(current.writtenAt)}
      ${final ? h` ${badge('ok', tr.t('session.minutes.final', { at: formatTime(current.finalisedAt) }))}` : undefined}
      ${minutes.publishedAt ? h` ${badge('ok', tr.t('session.minutes.published', { at: formatTime(minutes.publishedAt) }))}` : undefined}</p>
      <pre class="minutes">${current.text}</pre>
      <h3>${tr.t('session.minutes.signatures')}</h3>
      ${signatureList(tr, current, attendingParties, names)}
      ${
        minutes.corrections.length
          ? h`<h3>${tr.t('session.minutes.corrections')}</h3>${minutes.corrections.map(
              (
                c,
              ) => h`<div class="panel"><p>${c.correctionId} · ${c.reason ?? ''} ${c.final ? badge('ok', '✓') : badge('warn', '…')}</p><pre class="minutes">${c.text}</pre>
              ${signatureList(tr, { ...current, signatures: c.signatures }, attendingParties, names)}</div>`,
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
  <dt>${tr.t('session.rule')}</dt><dd>${joint ? ruleText(tr, session.resolutionRule) : tr.label('sessionKind', session.kind)}</dd>
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
