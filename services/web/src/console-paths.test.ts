import { commandCatalog, type DomainCommandType } from '@yishi/domain';
import { describe, expect, it } from 'vitest';
import type { ActionSpec } from './actions/action.ts';
import { meetingListActions, meetingRequestActions } from './actions/convocation.ts';
import { createActions } from './actions/create.ts';
import {
  campaignActions,
  campaignOpenActions,
  fundActions,
  fundListActions,
} from './actions/money.ts';
import {
  discussionActions,
  evaluationActions,
  evaluationListActions,
  wishActions,
  wishListActions,
} from './actions/participation.ts';
import { personalActions } from './actions/personal.ts';
import { proposalActions } from './actions/proposal.ts';
import { registryActions } from './actions/registry.ts';
import { sessionActions } from './actions/session.ts';
import { standingBodyActions } from './actions/standing-body.ts';
import { translator } from './i18n.ts';
import { installationActions } from './pages/installation.ts';
import { setupActions } from './pages/setup.ts';

// Every command a person may send has a way to send it in the console (#23.2): a form in one of
// the pages' action tables, or a page of its own. The domain's catalogue drives the check, as
// the event labels' `Record<DomainEventType, Pair>` does for events: a new command without a
// console path fails here, by name.

/** The pages' action tables: each form's command, by the route it posts to. */
const tables: Readonly<Record<string, Readonly<Record<string, ActionSpec>>>> = {
  createActions,
  proposalActions,
  sessionActions,
  discussionActions,
  wishListActions,
  wishActions,
  evaluationListActions,
  evaluationActions,
  installationActions,
  registryActions,
  setupActions,
  fundListActions,
  fundActions,
  campaignOpenActions,
  campaignActions,
  meetingListActions,
  meetingRequestActions,
  standingBodyActions,
  personalActions,
};

/** Commands sent from a page that is not an action table: the path that sends it. */
const otherPaths: Partial<Record<DomainCommandType, string>> = {
  // The one-time code printed at first start, on the sign-in's bootstrap page.
  BootstrapAdmin: '/bootstrap',
  // A file picked in a form that takes a document is uploaded at once (attachments.ts).
  RecordAttachment: '/c/:cid/attachments',
};

const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

const formed = new Set(
  Object.values(tables).flatMap((table) => Object.values(table).map((spec) => spec.command)),
);

describe('the console’s path for every command', () => {
  it('offers a form (or a page) for every command a person may send', () => {
    const missing = Object.values(commandCatalog)
      .filter((d) => d.automatic !== 'only')
      .map((d) => d.name)
      .filter((name) => !formed.has(name) && !(name in otherPaths));
    expect(missing).toEqual([]);
  });

  it('keeps the other paths honest: none is a command with a form too', () => {
    for (const name of Object.keys(otherPaths) as DomainCommandType[]) {
      expect(formed.has(name), `${name} has a form and another path`).toBe(false);
    }
  });

  it('posts each registry and setup form to its command’s route, labelled in both languages', () => {
    const zh = translator('zh');
    const en = translator('en');
    for (const [action, spec] of [
      ...Object.entries(registryActions),
      ...Object.entries(setupActions),
      ...Object.entries(installationActions),
    ]) {
      expect(kebab(spec.command), action).toBe(action);
      expect(zh.lookup(`action.${action}`), action).toBeTruthy();
      expect(en.lookup(`action.${action}`), action).toBeTruthy();
    }
  });
});
