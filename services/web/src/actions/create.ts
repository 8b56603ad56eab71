import { MORE_THAN_HALF, TWO_THIRDS } from '@yishi/domain';
import type { ActionSpec } from './action.ts';
import { defined, newId, optionsOf } from './form-fields.ts';

// The forms that create: a proposal (with up to ITEM_SLOTS items) and a session (with up to
// AGENDA_SLOTS agenda items). Their pages lay the forms out; these build the commands.

/** A joint session's resolution rule, from the convene form's choice. */
function sessionRule(value: string): Record<string, unknown> {
  switch (value) {
    case 'consensus-attending':
      return { kind: 'consensus', among: 'attending' };
    case 'two-thirds':
      return { kind: 'qualified-majority', threshold: TWO_THIRDS };
    case 'majority':
      return { kind: 'qualified-majority', threshold: MORE_THAN_HALF };
    default:
      return { kind: 'consensus', among: 'required' };
  }
}

export const ITEM_SLOTS = 3;
export const AGENDA_SLOTS = 3;

export const createActions = {
  'submit-proposal': {
    command: 'SubmitProposal',
    build(form) {
      const title = form.text('title');
      const items: Record<string, unknown>[] = [];
      for (let n = 1; n <= ITEM_SLOTS; n++) {
        const itemTitle = form.text(`item${n}.title`) || (n === 1 ? title : '');
        if (!itemTitle) continue;
        const kind = form.text(`item${n}.kind`) === 'plans' ? 'plans' : 'motion';
        items.push(
          defined({
            itemId: `i${n}`,
            title: itemTitle,
            kind,
            matter: form.opt(`item${n}.matter`),
            options: kind === 'plans' ? optionsOf(form.text(`item${n}.options`)) : [],
          }),
        );
      }
      return defined({
        proposalId: form.opt('proposalId') ?? newId('p'),
        title,
        description: form.text('description'),
        procedure: form.text('procedure'),
        items,
      });
    },
  },
  'convene-session': {
    command: 'ConveneSession',
    build(form) {
      const agenda: Record<string, unknown>[] = [];
      for (let n = 1; n <= AGENDA_SLOTS; n++) {
        const title = form.text(`agenda${n}.title`);
        if (!title) continue;
        agenda.push(
          defined({
            itemId: `a${n}`,
            title,
            proposalId: form.opt(`agenda${n}.proposalId`),
            concernedPartyIds: form.all(`agenda${n}.concerned`),
          }),
        );
      }
      const kind =
        form.text('kind') === 'residents-council' ? 'residents-council' : 'joint-session';
      return defined({
        sessionId: form.opt('sessionId') ?? newId('s'),
        kind,
        title: form.text('title'),
        scheduledAt: form.time('scheduledAt'),
        agenda,
        resolutionRule:
          kind === 'joint-session' ? sessionRule(form.text('resolutionRule')) : undefined,
        memberIds: kind === 'residents-council' ? form.list('memberIds') : undefined,
      });
    },
  },
} satisfies Record<string, ActionSpec>;
