import type { CheckpointView, ProposalList, VerificationReport } from '@yishi/projection/contract';
import type { Result } from '../api.ts';
import { formatTime } from '../format.ts';
import { type Html, h } from '../html.ts';
import type { Translator } from '../i18n.ts';
import { communityPath, layout, queryProblem } from '../views/layout.ts';
import { communityApi, loadCommunity, type Page, type PageAnswer, read } from './page.ts';

// 核验: recompute the hash chains (the projection service does it against the event store)
// and say plainly whether the record is intact, naming the first altered event if not. The
// log's latest signed checkpoint is shown with how to keep it outside the community's hands.

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

function report(tr: Translator, r: VerificationReport): Html {
  return h`<div class="banner ${r.ok ? 'ok' : 'bad'}" role="${r.ok ? 'status' : 'alert'}" id="verification-result" data-ok="${String(r.ok)}">
  <p class="verdict ${r.ok ? 'ok' : 'bad'}">${r.ok ? '✓ ' : '✗ '}${tr.t(r.ok ? 'verify.pass' : 'verify.fail')}</p>
  <p>${tr.t('verify.counts', { streams: r.streams, events: r.events })} ${r.witnessed ? tr.t('verify.witnessed') : ''}</p>
  ${
    r.firstBroken
      ? h`<p><strong>${tr.t('verify.broken', { stream: r.firstBroken.streamId, version: r.firstBroken.streamVersion, reason: r.firstBroken.reason })}</strong></p>`
      : undefined
  }
  <p class="muted"><code>${r.scope}</code></p>
</div>`;
}

export async function verifyPage(page: Page): Promise<PageAnswer> {
  const { tr } = page;
  const scope = page.query('scope') === 'proposal' ? 'proposal' : 'community';
  const proposalId = page.query('proposal') ?? '';
  const run = page.query('run') === '1';
  const [, proposals, latest] = await Promise.all([
    loadCommunity(page),
    read<ProposalList>(page, communityApi(page, '/proposals'), { limit: 1000 }),
    page.api.query<CheckpointView>('/v1/checkpoints/latest'),
  ]);
  let outcome: Html | undefined;
  if (run) {
    const stream =
      scope === 'proposal' && proposalId ? `proposal-${page.communityId}.${proposalId}` : undefined;
    const result = await page.api.query<VerificationReport>(communityApi(page, '/verification'), {
      stream,
    });
    outcome = result.ok ? report(tr, result.data) : queryProblem(tr, result.problem);
  }
  const options = proposals.ok ? proposals.data.items : [];
  const checked = (value: string) => (value === scope ? h` checked` : undefined);
  const form = h`<form method="get" action="${communityPath(page.communityId, '/verify')}" class="action" aria-label="${tr.t('verify.run')}">
  <input type="hidden" name="run" value="1">
  <fieldset class="choices field"><legend>${tr.t('verify.scope')}</legend>
    <div class="choice"><input type="radio" id="scope-community" name="scope" value="community"${checked('community')}><label for="scope-community">${tr.t('verify.scope.community')}</label></div>
    <div class="choice"><input type="radio" id="scope-proposal" name="scope" value="proposal"${checked('proposal')}><label for="scope-proposal">${tr.t('verify.scope.proposal')}</label></div>
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
      crumbs: [
        {
          href: communityPath(page.communityId),
          label: page.ctx.community?.name ?? page.communityId,
        },
        { label: tr.t('verify.title') },
      ],
      body: h`<h1>${tr.t('verify.title')}</h1>
<p>${tr.t('verify.intro')}</p>
${outcome}
${form}
${checkpoint(tr, latest)}`,
    }),
  };
}
