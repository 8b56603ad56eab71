import { yuan } from '@yishi/presentation';
import type {
  AccountLineView,
  AttachmentInfo,
  CampaignDetail,
  CampaignList,
  CampaignView,
  DecisionList,
  FundAccountsView,
  FundList,
} from '@yishi/projection/contract';
import { offered } from '../actions/action.ts';
import { campaignActions, fundActions, fundListActions, isTreasurer } from '../actions/money.ts';
import { attachmentInfos, documentRef } from '../attachments.ts';
import { formatDate } from '../format.ts';
import { type Html, h } from '../html.ts';
import { may } from '../viewer.ts';
import { documentLinks } from '../views/documents.ts';
import { communityPath, layout, queryProblem } from '../views/layout.ts';
import {
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

// 晒账: the community's funds (专项维修资金, 微基金) and each one's accounts, every spending line
// linked to the decision that authorised it, with the CSV and the printed notice; and the
// crowdfunding campaigns with their progress.

const money = (fen: number) => `¥${yuan(fen)}`;

function progress(page: Page, c: CampaignView): Html {
  const { tr } = page;
  // Display only: the percentage of the target pledged, from the integer fen.
  const percent = c.targetFen > 0 ? Math.floor((c.pledgedFen * 100) / c.targetFen) : 0;
  return h`<p><progress max="100" value="${String(Math.min(percent, 100))}">${percent}%</progress>
  ${tr.t('funds.progress', { pledged: money(c.pledgedFen), target: money(c.targetFen), received: money(c.receivedFen), percent })}</p>
  <p>${tr.t(`funds.campaign.${c.status}`)}${c.reason ? ` · ${tr.t(`funds.reason.${c.reason}`)}` : ''} · ${tr.t('funds.deadline', { at: formatDate(c.deadline) })}
  · <a href="${communityPath(page.communityId, `/proposals/${encodeURIComponent(c.proposalId)}`)}">${c.proposalId}</a></p>
  ${c.owedFen ? h`<p>${tr.t('funds.refunds', { owed: money(c.owedFen), refunded: money(c.refundedFen) })}</p>` : undefined}`;
}

type Infos = ReadonlyMap<string, AttachmentInfo>;

function line(page: Page, l: AccountLineView, infos: Infos): Html {
  const { tr } = page;
  const decision = l.decision
    ? h`<a class="decision" href="${communityPath(page.communityId, `/proposals/${encodeURIComponent(l.decision.proposalId)}`)}">${l.decision.title}</a> <span class="muted">${l.decision.itemId}</span>`
    : h`<span class="muted">—</span>`;
  return h`<tr data-entry="${l.entryId}" data-kind="${l.kind}">
  <td>${formatDate(l.postedAt)}</td>
  <td><code>${l.entryId}</code>${l.reverses ? h` <span class="muted">${tr.t('funds.reverses', { entry: l.reverses })}</span>` : undefined}</td>
  <td>${tr.t(`funds.kind.${l.kind}`)} <span class="muted">${tr.lookup(`account.${l.account}`) ?? l.account}</span></td>
  <td class="num">${money(l.amountFen)}</td>
  <td>${l.memo} <span class="muted">${documentRef(page.communityId, l.documentRef, tr.t('attach.ref'), infos)}</span></td>
  <td>${decision}</td>
</tr>`;
}

/** Who records the money (出纳), named to everyone: the forms are offered to them alone. */
async function treasurersNote(page: Page, treasurerIds: readonly string[]): Promise<Html> {
  const { tr } = page;
  if (treasurerIds.length === 0) return h`<p class="muted">${tr.t('entry.noTreasurer')}</p>`;
  const names = await personNames(page, treasurerIds);
  return h`<p class="muted" data-treasurers>${tr.t('entry.treasurer', {
    names: treasurerIds.map((id) => personLabel(tr, names, id)).join(tr.sep),
  })}</p>`;
}

/** The printed notice (HTML and PDF) and the CSV of a fund's or a campaign's accounts. */
function accountsLinks(page: Page, path: string): Html {
  const { tr } = page;
  return h`<p>${documentLinks(tr, `${path}/accounts`, 'funds.print')}
  <a class="button secondary" href="/api/projection${path}/accounts.csv">${tr.t('funds.csv')}</a></p>`;
}

const fundsPath = (page: Page, rest = '') => communityPath(page.communityId, `/funds${rest}`);
const campaignPath = (page: Page, id: string) =>
  communityPath(page.communityId, `/crowdfunding/${encodeURIComponent(id)}`);

function accounts(
  page: Page,
  a: FundAccountsView,
  decisions: DecisionList['items'],
  treasurer: boolean,
  infos: Infos,
): Html {
  const { tr } = page;
  const path = communityApi(page, `/funds/${encodeURIComponent(a.fundId)}`);
  return h`<section class="fund" id="fund-${a.fundId}" aria-labelledby="fund-${a.fundId}-title">
  <h2 id="fund-${a.fundId}-title">${a.name} <span class="muted">${tr.t(`funds.type.${a.kind}`)}</span></h2>
  <dl class="facts">
    <dt>${tr.t('funds.balance')}</dt><dd data-figure="balance">${money(a.balanceFen)}</dd>
    <dt>${tr.t('funds.income')}</dt><dd>${money(a.incomeFen)}</dd>
    <dt>${tr.t('funds.spending')}</dt><dd>${money(a.spendingFen)}</dd>
  </dl>
  ${accountsLinks(page, path)}
  ${
    a.lines.length
      ? h`<div class="scroll" tabindex="0" role="region" aria-label="${a.name}"><table class="accounts"><caption class="visually-hidden">${a.name}</caption>
  <thead><tr><th scope="col">${tr.t('funds.date')}</th><th scope="col">${tr.t('funds.entry')}</th><th scope="col">${tr.t('funds.account')}</th><th scope="col">${tr.t('funds.amount')}</th><th scope="col">${tr.t('funds.memo')}</th><th scope="col">${tr.t('funds.decision')}</th></tr></thead>
  <tbody>${a.lines.map((l) => line(page, l, infos))}</tbody></table></div>`
      : h`<p>${tr.t('funds.noLines')}</p>`
  }
  ${offered(fundActions, { page, base: fundsPath(page, `/${encodeURIComponent(a.fundId)}`), fund: a, decisions, treasurer })}
</section>`;
}

function campaign(page: Page, c: CampaignView): Html {
  return h`<li data-campaign="${c.campaignId}">
  <a class="title" href="${campaignPath(page, c.campaignId)}">${c.title}</a>
  ${progress(page, c)}
</li>`;
}

export async function fundsPage(page: Page): Promise<PageAnswer> {
  const { tr } = page;
  const [, funds, campaigns, decided] = await Promise.all([
    loadCommunity(page),
    read<FundList>(page, communityApi(page, '/funds')),
    read<CampaignList>(page, communityApi(page, '/crowdfunding')),
    // The decisions a spending entry may name, for those who post entries.
    may(page.viewer, 'PostFundEntry')
      ? read<DecisionList>(page, communityApi(page, '/decisions'))
      : undefined,
  ]);
  const decisions = decided?.ok ? decided.data.items : [];
  const treasurerIds = funds.ok ? funds.data.treasurerIds : [];
  const treasurer = isTreasurer(page, treasurerIds);
  const each = funds.ok
    ? await Promise.all(
        funds.data.items.map((f) =>
          read<FundAccountsView>(
            page,
            communityApi(page, `/funds/${encodeURIComponent(f.fundId)}`),
          ),
        ),
      )
    : [];
  // The receipts' and invoices' photos are shown by their previews: one read for the page.
  const infos = await attachmentInfos(
    page,
    each.flatMap((r) => (r.ok ? r.data.lines.map((l) => l.documentRef) : [])),
  );
  const body = h`<h1>${tr.t('funds.title')}</h1>
<p>${tr.t('funds.intro')}</p>
${funds.ok ? await treasurersNote(page, treasurerIds) : undefined}
${
  !funds.ok
    ? queryProblem(tr, funds.problem)
    : funds.data.items.length === 0
      ? h`<p>${tr.t('funds.none')}</p>`
      : each.map((r) =>
          r.ok ? accounts(page, r.data, decisions, treasurer, infos) : queryProblem(tr, r.problem),
        )
}
<h2>${tr.t('funds.crowdfunding')}</h2>
${
  !campaigns.ok
    ? queryProblem(tr, campaigns.problem)
    : campaigns.data.items.length === 0
      ? h`<p>${tr.t('funds.noCampaigns')}</p>`
      : h`<ul class="cards">${campaigns.data.items.map((c) => campaign(page, c))}</ul>`
}
${offered(fundListActions, { page, base: fundsPath(page) })}`;
  return {
    html: layout(page.ctx, {
      title: tr.t('funds.title'),
      crumbs: [communityCrumb(page), { label: tr.t('funds.title') }],
      body,
    }),
  };
}

/** One campaign: its progress, every pledge with what was received and refunded, its forms. */
export async function campaignPage(page: Page): Promise<PageAnswer> {
  const { tr } = page;
  const id = page.param('campaignId');
  const [community, result] = await Promise.all([
    loadCommunity(page),
    read<CampaignDetail>(page, communityApi(page, `/crowdfunding/${encodeURIComponent(id)}`)),
  ]);
  const crumbs = [communityCrumb(page), { href: fundsPath(page), label: tr.t('funds.title') }];
  if (!result.ok) return problemPage(page, id, crumbs, result.problem);
  const c = result.data;
  const parties = partyNames(community.ok ? community.data : undefined);
  const names = await personNames(
    page,
    c.pledgeList.filter((p) => p.pledger.kind === 'person').map((p) => p.pledger.id),
  );
  const pledgerOf = (p: CampaignDetail['pledgeList'][number]) =>
    p.pledger.kind === 'party'
      ? `${parties.get(p.pledger.id) ?? p.pledger.id}${tr.t('campaign.party')}`
      : personLabel(tr, names, p.pledger.id);
  const body = h`<h1>${c.title}</h1>
${c.description ? h`<p class="pre">${c.description}</p>` : undefined}
<section class="campaign" data-campaign="${c.campaignId}">${progress(page, c)}</section>
${accountsLinks(page, communityApi(page, `/crowdfunding/${encodeURIComponent(c.campaignId)}`))}
${await treasurersNote(page, c.treasurerIds)}
<section aria-labelledby="pledges-title"><h2 id="pledges-title">${tr.t('campaign.pledges')}</h2>
${
  c.pledgeList.length
    ? h`<div class="scroll" tabindex="0" role="region" aria-labelledby="pledges-title"><table class="accounts"><caption class="visually-hidden">${tr.t('campaign.pledges')}</caption><thead><tr><th scope="col">${tr.t('campaign.pledge')}</th><th scope="col">${tr.t('campaign.pledger')}</th><th scope="col">${tr.t('campaign.pledged')}</th><th scope="col">${tr.t('campaign.received')}</th><th scope="col">${tr.t('campaign.refunded')}</th></tr></thead>
  <tbody>${c.pledgeList.map(
    (p) =>
      h`<tr data-pledge="${p.pledgeId}"><td><code>${p.pledgeId}</code> <span class="muted">${formatDate(p.pledgedAt)}</span></td><td>${pledgerOf(p)}</td><td class="num">${money(p.amountFen)}</td><td class="num">${money(p.receivedFen)}</td><td class="num">${p.owedFen ? money(p.refundedFen) : '—'}</td></tr>`,
  )}</tbody></table></div>`
    : h`<p>${tr.t('campaign.noPledges')}</p>`
}</section>
${offered(campaignActions, {
  page,
  base: campaignPath(page, c.campaignId),
  campaign: c,
  pledgerOf,
  treasurer: isTreasurer(page, c.treasurerIds),
})}`;
  return {
    html: layout(page.ctx, { title: c.title, crumbs: [...crumbs, { label: c.title }], body }),
  };
}
