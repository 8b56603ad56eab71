import { SignerCapacity } from '@yishi/domain';
import type { MeetingRequestView } from '@yishi/projection/contract';
import { h } from '../html.ts';
import { type FormScope, selectField, textField } from '../views/forms.ts';
import type { Action, OnPage } from './action.ts';
import { defined, newId } from './form-fields.ts';

// 提议召开居民会议 (Art. 10): a resident puts a request on record, others sign it in the
// capacity the registry gives them, and the convener records when the meeting sits. Whom a
// signature counts for is the registry's to say: the service reads it, the form only asks.

export type MeetingListContext = OnPage;

function capacityField(c: OnPage, s: FormScope) {
  const { tr } = c.page;
  return selectField(
    s,
    { name: 'capacity', label: tr.t('meeting.capacity'), required: true },
    SignerCapacity.options.map((k) => [k, tr.t(`meeting.capacity.${k}`)] as const),
  );
}

export const meetingListActions = {
  'request-residents-meeting': {
    command: 'RequestResidentsMeeting',
    when: () => true,
    folded: true,
    fields: (c, s) =>
      h`${textField(s, { name: 'matters', label: c.page.tr.t('meeting.matters'), required: true, multiline: true })}
      ${capacityField(c, s)}`,
    build: (f) => ({
      requestId: newId('rq'),
      matters: f.text('matters'),
      capacity: f.text('capacity'),
    }),
  },
} satisfies Record<string, Action<MeetingListContext>>;

export interface MeetingRequestContext extends OnPage {
  request: MeetingRequestView;
}

const formId = (name: string) => (c: MeetingRequestContext) => `${name}-${c.request.requestId}`;

export const meetingRequestActions = {
  'sign-residents-meeting-request': {
    command: 'SignResidentsMeetingRequest',
    when: (c) => c.request.status === 'collecting',
    id: formId('sign'),
    fields: (c, s) => capacityField(c, s),
    build: (f) => ({ capacity: f.text('capacity') }),
  },
  'record-residents-meeting-convened': {
    command: 'RecordResidentsMeetingConvened',
    when: (c) => c.request.status !== 'convened',
    id: formId('convened'),
    folded: true,
    fields: (c, s) => {
      const { tr } = c.page;
      return h`<div class="row">${textField(s, { name: 'meetingAt', label: tr.t('meeting.meetingAt'), type: 'datetime-local', required: true })}
        ${textField(s, { name: 'place', label: tr.t('meeting.place') })}</div>
        ${textField(s, { name: 'proposalIds', label: tr.t('meeting.proposalIds') })}
        ${textField(s, { name: 'note', label: tr.t('campaign.note'), multiline: true })}`;
    },
    build: (f) => {
      const proposalIds = f.list('proposalIds');
      return defined({
        meetingAt: f.time('meetingAt'),
        place: f.opt('place'),
        proposalIds: proposalIds.length ? proposalIds : undefined,
        note: f.opt('note'),
      });
    },
  },
} satisfies Record<string, Action<MeetingRequestContext>>;
