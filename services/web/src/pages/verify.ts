import type { CheckpointView, ProposalList, VerificationReport } from '@yishi/projection/contract';
import { type Result, withQuery } from '../api.ts';
import { formatTime } from '../format.ts';
import { type Html, h } from '../html.ts';
import type { Translator } from '../i18n.ts';
import { communityPath, layout, queryProblem } from '../views/layout.ts';
import {
  communityApi,
  communityCrumb,
  loadCommunity,
  type Page,
  type PageAnswer,
  read,
} from './page.ts';

// 核验: recompute the hash chains (the projection service does it against the event store)
// and say plainly whether the record is intact, naming the first altered event if not. A
// printed document's QR code opens this page with the chain head it was printed from
// (`version`, `head`) and which document it is (`doc`, `at`): the page says whether that head
// is in the record and still the latest, and links to the same document online. The log's
// latest signed checkpoint is shown with how to keep it outside the community's hands.

const WITNESS_COMMAND = 'pnpm verify --witness checkpoints.jsonl';

function checkpoint(tr: Translator, latest: Result<CheckpointView>): Html {
  const body = latest.ok
    ? h`<dl class="facts">
  <dt>${tr.t('verify.checkpoint.size')}</dt><dd>${String(latest.data.treeSize)}</dd>
  <dt>${tr.t('verify.checkpoint.root')}</dt><dd><code>${latest.data.shortHash}</code></dd>
  <dt>${tr.t('verify.checkpoint.time')}</dt><dd>${formatTime(latest.data.signedAt)}</dd>
  <dt>${tr.t('verify.checkpoint.key')}</dt><dd><code>${latest.data.keyFingerprint.match(/.{1,8}/g)?.join(' ') ?? ''}</code></dd>
</dl>
<p>${tr.t('verify.checkpoint.keep', { command: WITNESS_COMMAND })}</p>
<details><summary>${tr.t('verify.checkpoint.note')}</summary><pre id="checkpoint-note">${latest.data.note}</pre></details>`
    : latest.problem.code === 'no-checkpoint'
      ? h`<p>${tr.t('verify.checkpoint.none')}</p>`
      : queryProblem(tr, latest.problem);
  return h`<section id="checkpoint" aria-labelledby="checkpoint-title">
<h2 id="checkpoint-title">${tr.t('verify.checkpoint.title')}</h2>
<p>${tr.t('verify.checkpoint.intro')}</p>
${body}
</section>`;
}

/** The documents a QR code names, and where each is printed (the console's pass-through). */
const DOCUMENTS: Record<
  string,
  (page: Page, ids: { proposal: string; session: string; fund: string; campaign: string }) => string
> = {
  notice: (page, ids) =>
    communityApi(page, `/proposals/${encodeURIComponent(ids.proposal)}/notice`),
  'meeting-notice': (page, ids) =>
    communityApi(page, `/sessions/${encodeURIComponent(ids.session)}/notice`),
  minutes: (page, ids) =>
    communityApi(page, `/sessions/${encodeURIComponent(ids.session)}/minutes`),
  register: (page) => communityApi(page, '/decisions'),
  'fund-accounts': (page, ids) =>
    communityApi(page, `/funds/${encodeURIComponent(ids.fund)}/accounts`),
  'campaign-accounts': (page, ids) =>
    communityApi(page, `/crowdfunding/${encodeURIComponent(ids.campaign)}/accounts`),
};

const POSITION = /^\d{1,20}:\d{1,20}$/;

function headCheck(tr: Translator, head: NonNullable<VerificationReport['head']>): Html {
  const vars = { version: head.version, hash: head.hash, later: head.latestVersion - head.version };
  const ok = head.matches;
  const key = !ok
    ? 'verify.head.mismatch'
    : head.latestVersion > head.version
      ? 'verify.head.behind'
      : 'verify.head.current';
  return h`<p id="printed-head" data-matches="${String(ok)}"><strong>${ok ? '✓ ' : '✗ '}${tr.t(key, vars)}</strong></p>`;
}

function report(tr: Translator, r: VerificationReport, document?: Html): Html {
  return h`<div class="banner ${r.ok ? 'ok' : 'bad'}" role="${r.ok ? 'status' : 'alert'}" id="verification-result" data-ok="${String(r.ok)}">
  <p class="verdict ${r.ok ? 'ok' : 'bad'}">${r.ok ? '✓ ' : '✗ '}${tr.t(r.ok ? 'verify.pass' : 'verify.fail')}</p>
  <p>${tr.t('verify.counts', { streams: r.streams, events: r.events })} ${r.witnessed ? tr.t('verify.witnessed') : ''}</p>
  ${
    r.firstBroken
      ? h`<p><strong>${tr.t('verify.broken', { stream: r.firstBroken.streamId, version: r.firstBroken.streamVersion, reason: r.firstBroken.reason })}</strong></p>`
      : undefined
  }
  ${r.head ? headCheck(tr, r.head) : undefined}
  ${document}
  <p class="muted"><code>${r.scope}</code></p>
</div>`;
}

export async function verifyPage(page: Page): Promise<PageAnswer> {
  const { tr } = page;
  const sessionId = page.query('session') ?? '';
  const asked = page.query('scope');
  const scope = asked === 'proposal' || (asked === 'session' && sessionId) ? asked : 'community';
  const proposalId = page.query('proposal') ?? '';
  const run = page.query('run') === '1';
  const version = page.query('version');
  const head = page.query('head');
  const printed =
    version && /^\d{1,10}$/.test(version) && head && /^[0-9a-f]{8,64}$/.test(head)
      ? { version, head }
      : {};
  const [, proposals, latest] = await Promise.all([
    loadCommunity(page),
    read<ProposalList>(page, communityApi(page, '/proposals'), { limit: 1000 }),
    page.api.query<CheckpointView>('/v1/checkpoints/latest'),
  ]);
  let outcome: Html | undefined;
  if (run) {
    const stream =
      scope === 'proposal' && proposalId
        ? `proposal-${page.communityId}.${proposalId}`
        : scope === 'session'
          ? `session-${page.communityId}.${sessionId}`
          : undefined;
    const result = await page.api.query<VerificationReport>(communityApi(page, '/verification'), {
      stream,
      ...(stream ? printed : {}),
    });
    // The document as printed: the same document as of the position it stood at.
    const doc = page.query('doc') ?? '';
    const at = page.query('at') ?? '';
    const path = Object.hasOwn(DOCUMENTS, doc)
      ? DOCUMENTS[doc]!(page, {
          proposal: proposalId,
          session: sessionId,
          fund: page.query('fund') ?? '',
          campaign: page.query('campaign') ?? '',
        })
      : undefined;
    const document =
      path && POSITION.test(at)
        ? h`<p><a href="${withQuery(`/api/projection${path}.html`, { asOf: at, lang: tr.lang })}">${tr.t('verify.document')}</a></p>`
        : undefined;
    outcome = result.ok ? report(tr, result.data, document) : queryProblem(tr, result.problem);
  }
  const options = proposals.ok ? proposals.data.items : [];
  const checked = (value: string) => (value === scope ? h` checked` : undefined);
  const form = h`<form method="get" action="${communityPath(page.communityId, '/verify')}" class="action" aria-label="${tr.t('verify.run')}">
  <input type="hidden" name="run" value="1">
  <fieldset class="choices field"><legend>${tr.t('verify.scope')}</legend>
    <div class="choice"><input type="radio" id="scope-community" name="scope" value="community"${checked('community')}><label for="scope-community">${tr.t('verify.scope.community')}</label></div>
    <div class="choice"><input type="radio" id="scope-proposal" name="scope" value="proposal"${checked('proposal')}><label for="scope-proposal">${tr.t('verify.scope.proposal')}</label></div>
    ${
      sessionId
        ? h`<div class="choice"><input type="radio" id="scope-session" name="scope" value="session"${checked('session')}><label for="scope-session">${tr.t('verify.scope.session', { session: sessionId })}</label><input type="hidden" name="session" value="${sessionId}"></div>`
        : undefined
    }
  </fieldset>
  <div class="field"><label for="verify-proposal">${tr.t('verify.proposal')}</label>
    <select id="verify-proposal" name="proposal">${options.map(
      (p) =>
        h`<option value="${p.proposalId}"${p.proposalId === proposalId ? h` selected` : undefined}>${p.title} (${p.proposalId})</option>`,
    )}</select></div>
  <div class="actions"><button type="submit">${tr.t('verify.run')}</button></div>
</form>`;
  return {
    html: layout(page.ctx, {
      title: tr.t('verify.title'),
      crumbs: [communityCrumb(page), { label: tr.t('verify.title') }],
      body: h`<h1>${tr.t('verify.title')}</h1>
<p>${tr.t('verify.intro')}</p>
${outcome}
${form}
${checkpoint(tr, latest)}`,
    }),
  };
}
