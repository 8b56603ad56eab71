import { textHashOf } from '@yishi/domain';
import { formatTime, type Html, h } from '@yishi/presentation';
import type { SessionView } from '../contract.ts';
import type { DocumentWords } from './messages.ts';
import { type ChainHead, shortHash } from './page.ts';
import { itemResult, partyList } from './results.ts';

// A session's two printed documents: the meeting notice (会议通知: time, place, parties,
// agenda) and the minutes (会议纪要: attendance, resolutions, the text and every signature).
// Signers are named by party and role with their person id: the page is posted publicly, and
// a person's name is personal information (see routes/visibility.ts).

type Session = Omit<SessionView, 'asOf'>;

export interface MeetingNoticeModel {
  document: 'meeting-notice';
  communityId: string;
  communityName: string;
  session: Session;
  /** The notice as given (会议通知正文), in full; null before it is given. */
  noticeText: string | null;
  head: ChainHead;
}

export interface MinutesModel {
  document: 'minutes';
  communityId: string;
  communityName: string;
  session: Session;
  /** The chain heads of the proposals the agenda decides, by proposal id. */
  proposalHeads: Record<string, ChainHead>;
  head: ChainHead;
}

function partyNames(session: Session): Map<string, string> {
  return new Map(session.parties.map((p) => [p.partyId, p.name]));
}

export function meetingNoticeBody(w: DocumentWords, m: MeetingNoticeModel): Html {
  const { session } = m;
  const names = partyNames(session);
  const required = new Set(session.requiredPartyIds);
  return h`<section>
  <dl>
    <dt>${w.t('doc.meeting.when')}</dt><dd>${formatTime(session.scheduledAt)}</dd>
    <dt>${w.t('doc.meeting.kind')}</dt><dd>${w.label('sessionKind', session.kind)}</dd>
    <dt>${w.t('doc.meeting.convenedBy')}</dt><dd>${w.label('role', 'convener')} ${session.convenedBy}</dd>
  </dl>
</section>
<section>
  <h2>${w.t('doc.meeting.parties')}</h2>
  <ul>${session.parties.map(
    (p) =>
      h`<li>${p.name}${w.open}${w.label('partyKind', p.kind)}${w.close}${required.has(p.partyId) ? w.t('doc.meeting.required') : ''}</li>`,
  )}</ul>
  ${session.memberIds.length ? h`<p>${w.t('doc.meeting.members', { count: session.memberIds.length })}</p>` : undefined}
</section>
<section>
  <h2>${w.t('doc.meeting.agenda')}</h2>
  <ol>${session.agenda.map(
    (item) =>
      h`<li>${item.title}${item.proposalId ? h` <span class="muted">${w.open}${w.t('doc.meeting.proposal', { id: item.proposalId })}${w.close}</span>` : undefined}${
        item.concernedPartyIds.length
          ? h`<br><span class="muted">${w.t('doc.meeting.concerned', { parties: partyList(w, item.concernedPartyIds, names) })}</span>`
          : undefined
      }</li>`,
  )}</ol>
</section>
<section>
  <h2>${w.t('doc.meeting.notice')}</h2>
  ${
    m.noticeText !== null
      ? h`<p class="text">${m.noticeText}</p><p class="muted">${w.t('doc.meeting.noticeAt', { at: formatTime(session.noticeAt) })}</p>`
      : h`<p>${w.t('doc.meeting.noNotice')}</p>`
  }
</section>`;
}

type Signature = Session['minutes']['versions'][number]['signatures'][number];

function signatures(w: DocumentWords, session: Session, list: readonly Signature[]): Html {
  if (list.length === 0) return h`<p>${w.t('doc.minutes.noSignatures')}</p>`;
  const parties = new Map(session.parties.map((p) => [p.partyId, p]));
  return h`<table><thead><tr><th>${w.t('doc.minutes.party')}</th><th>${w.t('doc.minutes.signer')}</th><th>${w.t('doc.minutes.signedAt')}</th></tr></thead>
  <tbody>${list.map((s) => {
    // No party: a council member signed for themselves.
    if (s.partyId === null) {
      return h`<tr><td>${w.t('doc.minutes.member')}</td><td>${s.personId}</td><td>${formatTime(s.at)}</td></tr>`;
    }
    const party = parties.get(s.partyId);
    return h`<tr><td>${party?.name ?? s.partyId}${party ? h`<br><span class="muted">${w.label('partyKind', party.kind)}</span>` : undefined}</td><td>${w.label('role', 'party_representative')} ${s.personId}</td><td>${formatTime(s.at)}</td></tr>`;
  })}</tbody></table>`;
}

/** The version the minutes stand at: the final one, else the latest draft. */
export function printedVersion(session: Session) {
  const { versions, finalVersion, currentVersion } = session.minutes;
  return (
    versions.find((v) => v.version === finalVersion) ??
    versions.find((v) => v.version === currentVersion) ??
    versions.at(-1)
  );
}

export function minutesBody(w: DocumentWords, m: MinutesModel): Html {
  const { session } = m;
  const names = partyNames(session);
  const version = printedVersion(session);
  const corrections = session.minutes.corrections;
  return h`<section>
  <dl>
    <dt>${w.t('doc.meeting.when')}</dt><dd>${formatTime(session.scheduledAt)}</dd>
    <dt>${w.t('doc.meeting.kind')}</dt><dd>${w.label('sessionKind', session.kind)}</dd>
    <dt>${w.t('doc.meeting.convenedBy')}</dt><dd>${w.label('role', 'convener')} ${session.convenedBy}</dd>
  </dl>
</section>
<section>
  <h2>${w.t('doc.minutes.attendance')}</h2>
  ${
    session.attendance.length
      ? h`<ul>${session.attendance.map(
          (a) =>
            h`<li>${a.partyId ? (names.get(a.partyId) ?? a.partyId) : w.label('role', 'resident')} · ${a.personId} <span class="muted">${formatTime(a.at)}</span></li>`,
        )}</ul>`
      : h`<p>${w.t('doc.minutes.nobody')}</p>`
  }
</section>
<section>
  <h2>${w.t('doc.minutes.resolutions')}</h2>
  ${session.agenda.map((item, index) => {
    const heading = w.t('doc.notice.item', { n: index + 1, title: item.title });
    const proposalHead = item.proposalId ? m.proposalHeads[item.proposalId] : undefined;
    const resolution = item.resolution;
    return h`${
      resolution
        ? itemResult(
            w,
            heading,
            undefined,
            { itemId: item.itemId, outcome: resolution.outcome, result: resolution.result },
            names,
          )
        : h`<div class="item"><h3>${heading}</h3><p>${w.t('doc.minutes.unresolved')}</p></div>`
    }${
      resolution?.dissentingPartyIds.length
        ? h`<p>${w.t('doc.minutes.dissent', { parties: partyList(w, resolution.dissentingPartyIds, names) })}</p>`
        : undefined
    }${
      item.proposalId
        ? h`<p class="muted">${w.t('doc.meeting.proposal', { id: item.proposalId })}${
            proposalHead
              ? h`${w.comma}${w.t('doc.verify.headLine', { stream: proposalHead.streamId, version: proposalHead.version, hash: shortHash(proposalHead.hash) })}`
              : undefined
          }</p>`
        : undefined
    }`;
  })}
</section>
<section>
  ${
    version
      ? h`<h2>${w.t('doc.minutes.text', { version: version.version })}</h2>
  <p>${version.final && version.finalisedAt ? w.t('doc.minutes.final', { at: formatTime(version.finalisedAt) }) : w.t('doc.minutes.draft')}
  ${session.minutes.publishedAt ? w.t('doc.minutes.published', { at: formatTime(session.minutes.publishedAt) }) : ''}</p>
  <p class="text">${version.text}</p>
  <p class="muted">${w.t('doc.minutes.textHash')}${w.colon}<span class="mono">${textHashOf(version.text)}</span></p>
  <h3>${w.t('doc.minutes.signatures')}</h3>
  ${signatures(w, session, version.signatures)}`
      : h`<h2>${w.t('doc.kind.minutes')}</h2><p>${w.t('doc.minutes.none')}</p>`
  }
</section>
${
  corrections.length
    ? h`<section><h2>${w.t('doc.minutes.corrections')}</h2>${corrections.map(
        (
          c,
        ) => h`<div class="item"><h3>${w.t('doc.minutes.correction', { id: c.correctionId, reason: c.reason ?? '' })}</h3>
  <p class="muted">${c.final ? w.t('doc.minutes.correctionFinal') : w.t('doc.minutes.correctionPending')}</p>
  <p class="text">${c.text}</p>
  ${signatures(w, session, c.signatures)}</div>`,
      )}</section>`
    : undefined
}`;
}
