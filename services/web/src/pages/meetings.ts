import { ONE_FIFTH, ONE_THIRD, type Threshold } from '@yishi/domain';
import type { MeetingRequestList, MeetingRequestView } from '@yishi/projection/contract';
import { offered } from '../actions/action.ts';
import { meetingListActions, meetingRequestActions } from '../actions/convocation.ts';
import { formatTime } from '../format.ts';
import { type Html, h } from '../html.ts';
import { badge, communityPath, layout, queryProblem } from '../views/layout.ts';
import {
  communityApi,
  communityCrumb,
  loadCommunity,
  type Page,
  type PageAnswer,
  personLabel,
  personNames,
  read,
  statusOf,
} from './page.ts';

// 提议召开居民会议: the requests with their signatures against Art. 10's thresholds (one fifth
// of the adult residents or of the households, one third of the resident groups), the forms
// to request, to sign, and for the convener to record the meeting.

const requestsPath = (page: Page) => communityPath(page.communityId, '/residents-meeting-requests');

/** The fewest of `total` that reach an inclusive threshold (以上), in integers. */
function needed(total: number, t: Threshold): number {
  return Math.floor((total * t.numerator + t.denominator - 1) / t.denominator);
}

interface BodySizes {
  households: number;
  groups: number;
}

function requestCard(
  page: Page,
  r: MeetingRequestView,
  sizes: BodySizes | undefined,
  names: ReadonlyMap<string, string>,
): Html {
  const { tr } = page;
  const tone = r.status === 'collecting' ? 'info' : r.status === 'convened' ? 'ok' : 'warn';
  const against = (count: number, total: number | undefined, t: Threshold) =>
    total === undefined
      ? { count, total: '—', needed: '—' }
      : { count, total, needed: needed(total, t) };
  return h`<li id="request-${r.requestId}" data-request="${r.requestId}">
  <p class="title">${badge(tone, tr.t(`meeting.status.${r.status}`))}</p>
  <p class="pre">${r.matters}</p>
  <p class="muted">${tr.t('meeting.requested', { who: personLabel(tr, names, r.requestedBy), at: formatTime(r.requestedAt) })}</p>
  <ul class="signatures">
    <li data-signatures="adults">${tr.t('meeting.adults', { count: r.signatures.adults })}</li>
    <li data-signatures="households">${tr.t('meeting.households', against(r.signatures.households, sizes?.households, ONE_FIFTH))}</li>
    <li data-signatures="groups">${tr.t('meeting.groups', against(r.signatures.groups, sizes?.groups, ONE_THIRD))}</li>
  </ul>
  ${r.meeting ? h`<p>${tr.t('meeting.sits', { at: formatTime(r.meeting.meetingAt) })}${r.meeting.place ? ` · ${r.meeting.place}` : ''}</p>` : undefined}
  ${offered(meetingRequestActions, {
    page,
    base: `${requestsPath(page)}/${encodeURIComponent(r.requestId)}`,
    request: r,
  })}
</li>`;
}

export async function meetingRequestsPage(page: Page): Promise<PageAnswer> {
  const { tr } = page;
  const [community, list] = await Promise.all([
    loadCommunity(page),
    read<MeetingRequestList>(page, communityApi(page, '/residents-meeting-requests')),
  ]);
  const sizes = community.ok
    ? { households: community.data.counts.households, groups: community.data.counts.residentGroups }
    : undefined;
  const items = list.ok ? list.data.items : [];
  const names = await personNames(
    page,
    items.map((r) => r.requestedBy),
  );
  const open = items.filter((r) => r.status !== 'convened');
  const convened = items.filter((r) => r.status === 'convened');
  const cards = (rs: readonly MeetingRequestView[]) =>
    h`<ul class="cards">${rs.map((r) => requestCard(page, r, sizes, names))}</ul>`;
  const body = h`<h1>${tr.t('meeting.title')}</h1>
<p>${tr.t('meeting.intro')}</p>
<p class="muted">${tr.t('meeting.registryNote')}</p>
${
  !list.ok
    ? queryProblem(tr, list.problem)
    : items.length === 0
      ? h`<p>${tr.t('meeting.none')}</p>`
      : h`${open.length ? cards(open) : undefined}${convened.length ? h`<h2>${tr.t('meeting.status.convened')}</h2>${cards(convened)}` : undefined}`
}
${offered(meetingListActions, { page, base: requestsPath(page) })}`;
  return {
    status: list.ok ? 200 : statusOf(list.problem),
    html: layout(page.ctx, {
      title: tr.t('meeting.title'),
      crumbs: [communityCrumb(page), { label: tr.t('meeting.title') }],
      body,
    }),
  };
}
