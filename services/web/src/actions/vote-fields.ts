import type { BallotView, CommunityView, ItemView } from '@yishi/projection/contract';
import { formatTime } from '../format.ts';
import { type Html, h } from '../html.ts';
import type { Translator } from '../i18n.ts';
import { checkbox, choiceGroup, type FormScope, selectField, textField } from '../views/forms.ts';

// The parts of the vote's forms: a ballot's choices (and a ballot in words), and what opening a
// vote asks for each rule.

/** The viewer's ballot in words, e.g. 同意加装电梯：同意. */
export function ballotInWords(
  tr: Translator,
  items: readonly ItemView[],
  ballots: readonly BallotView[],
): Html {
  const choices = ballots
    .map((b) => {
      const item = items.find((i) => i.itemId === b.itemId);
      const what = b.choice
        ? tr.label('choice', b.choice)
        : (b.ranking ?? [])
            .map((id) => item?.options.find((o) => o.optionId === id)?.title ?? id)
            .join(' > ');
      return `${item?.title ?? b.itemId}${tr.colon}${what}`;
    })
    .join('；');
  return h`<p><strong>${tr.t('ballot.current', { choices, at: formatTime(ballots[0]?.castAt) })}</strong></p>`;
}

/** Choice fields for every item: yes/no/abstain for motions, plans by preference. */
export function ballotFields(
  scope: FormScope,
  tr: Translator,
  items: readonly ItemView[],
  planMethod: string | null | undefined,
  current: readonly BallotView[] = [],
): Html {
  return h`${items.map((item) => {
    const prior = current.find((b) => b.itemId === item.itemId);
    if (item.kind === 'motion') {
      return choiceGroup(
        scope,
        {
          name: `choice.${item.itemId}`,
          legend: item.title,
          required: true,
          ...(prior?.choice ? { value: prior.choice } : {}),
        },
        (['yes', 'no', 'abstain'] as const).map((v) => [v, tr.label('choice', v)] as const),
      );
    }
    const options = item.options.map((o) => [o.optionId, `${o.optionId}. ${o.title}`] as const);
    if (planMethod === 'instant-runoff') {
      return h`<fieldset><legend>${item.title}</legend>${item.options.map((_, i) =>
        selectField(
          scope,
          {
            name: `rank.${item.itemId}.${i + 1}`,
            label: tr.t('ballot.rank', { n: i + 1 }),
            value: prior?.ranking?.[i] ?? '',
          },
          [['', tr.t('ballot.rank.none')], ...options],
        ),
      )}</fieldset>`;
    }
    return choiceGroup(
      scope,
      {
        name: `rank.${item.itemId}.1`,
        legend: item.title,
        required: true,
        value: prior?.ranking?.[0] ?? '',
      },
      options,
    );
  })}`;
}

/**
 * What the community adopted for owners' votes, shown read-only: a vote takes these settings
 * when it opens, and no form may choose others.
 */
function adoptedSettings(tr: Translator, community: CommunityView | undefined): Html {
  const settings = community?.settings;
  const yesNo = (on: boolean | undefined) => tr.t(on === true ? 'yes' : 'no');
  return h`<p class="hint">${tr.t('action.adoptedSettings')}${tr.colon}${tr.t('action.deemedConsent')} ${yesNo(settings?.deemedConsent)}${
    settings?.deemedConsentStatuteRef ? h`（${settings.deemedConsentStatuteRef}）` : undefined
  } · ${tr.t('action.countParking')} ${yesNo(settings?.parkingSpacesVote)}</p>`;
}

/** The open-voting form's fields for these rules: each rule's parameters, the plan method. */
export function openVotingFields(
  scope: FormScope,
  tr: Translator,
  rules: readonly string[],
  community: CommunityView | undefined,
  withPlans: boolean,
): Html {
  return h`${selectField(
    scope,
    { name: 'rule', label: tr.t('action.rule'), required: true },
    rules.map((r) => [r, tr.has('rule', r) ? tr.label('rule', r) : r] as const),
  )}
        ${textField(scope, { name: 'closesAt', label: tr.t('action.closesAt'), type: 'datetime-local', required: true })}
        ${checkbox(scope, { name: 'allowBallotChange', label: tr.t('action.allowBallotChange') })}
        ${rules.includes('owners-278') ? adoptedSettings(tr, community) : undefined}
        ${
          rules.includes('residents-meeting')
            ? selectField(
                scope,
                { name: 'form', label: tr.t('action.form') },
                (['all-adults', 'household-representatives', 'group-representatives'] as const).map(
                  (f) => [f, tr.label('meetingForm', f)] as const,
                ),
              )
            : undefined
        }
        ${rules.includes('villager-group-meeting') ? textField(scope, { name: 'groupId', label: tr.t('action.groupId') }) : undefined}
        ${rules.includes('party-members-meeting') ? textField(scope, { name: 'partyId', label: tr.t('action.partyId') }) : undefined}
        ${
          rules.includes('art279-consent')
            ? h`${textField(scope, { name: 'unitId', label: tr.t('action.unitId') })}${textField(scope, { name: 'applicants', label: tr.t('action.applicants') })}`
            : undefined
        }
        ${
          withPlans
            ? selectField(
                scope,
                { name: 'planMethod', label: tr.t('action.planMethod') },
                (['plurality', 'majority-runoff', 'instant-runoff'] as const).map(
                  (m) => [m, tr.label('planMethod', m)] as const,
                ),
              )
            : undefined
        }`;
}
