import {
  CommunityId,
  CommunityKind,
  type CommunitySettings,
  defaultCommunitySettings,
} from '@yishi/domain';
import type { CommunityView, ProposalList } from '@yishi/projection/contract';
import { changeKinds } from '../../../command/src/registry-import/rows.ts';
import { type Action, type OnPage, offered } from '../actions/action.ts';
import type { FormFields } from '../actions/form-fields.ts';
import { type Html, h } from '../html.ts';
import type { DemoLoader } from '../setup/demo.ts';
import type { UploadOutcome } from '../setup/upload.ts';
import { may } from '../viewer.ts';
import { checkbox, FormScope, selectField, textField, tokenField } from '../views/forms.ts';
import { badge, communityPath, layout, problemText, queryProblem } from '../views/layout.ts';
import { communityApi, loadCommunity, type Page, type PageAnswer, read, statusOf } from './page.ts';

// The first visit (首次使用): an administrator registers the community, then works through
// the setup checklist (设置清单): the registry by spreadsheet, parties and their
// representatives, clerks, settings with their statute reference, procedures, and the first
// proposal. Each step says whether it is done and links to where it is done.

export interface SetupContext extends OnPage {
  /** The community being registered, when the address names it (`/c/<id>`). */
  communityId: string;
}

export const setupActions = {
  'register-community': {
    command: 'RegisterCommunity',
    when: () => true,
    fields: (c, s) => {
      const { tr } = c.page;
      return h`${
        c.communityId
          ? h`<input type="hidden" name="communityId" value="${c.communityId}">`
          : textField(s, {
              name: 'communityId',
              label: tr.t('setup.field.communityId'),
              hint: tr.t('setup.field.communityId.hint'),
              required: true,
              autocomplete: 'off',
            })
      }
      ${textField(s, { name: 'name', label: tr.t('setup.field.name'), required: true })}
      ${selectField(
        s,
        { name: 'kind', label: tr.t('setup.field.kind'), required: true },
        CommunityKind.options.map(
          (k) =>
            [k, tr.t(k === 'rural' ? 'community.kind.rural' : 'community.kind.urban')] as const,
        ),
      )}`;
    },
    build: (f: FormFields) => ({
      communityId: f.text('communityId'),
      name: f.text('name'),
      kind: f.text('kind'),
    }),
  },
} satisfies Record<string, Action<SetupContext>>;

/** Whether `id` can name a community (the service says why not, if it cannot). */
export const isCommunityId = (id: string) => CommunityId.safeParse(id).success;

function registerForm(page: Page, communityId: string): Html[] {
  return offered(setupActions, { page, base: '/setup', communityId });
}

/** `/setup`: an administrator registers a community; with the demo clock, loads the demo. */
export async function newCommunityPage(
  page: Page,
  demo: DemoLoader | undefined,
): Promise<PageAnswer> {
  const { tr } = page;
  if (!may(page.viewer, 'RegisterCommunity')) {
    return {
      status: 403,
      html: layout(page.ctx, {
        title: tr.t('setup.new.title'),
        body: h`<h1>${tr.t('setup.new.title')}</h1><p>${tr.t('capacity.notHeld')}</p>`,
      }),
    };
  }
  return {
    html: layout(page.ctx, {
      title: tr.t('setup.new.title'),
      body: h`<h1>${tr.t('setup.new.title')}</h1>
<p>${tr.t('setup.new.intro')}</p>
${registerForm(page, '')}
${demo ? demoPanel(page, demo) : undefined}`,
    }),
  };
}

function demoPanel(page: Page, demo: DemoLoader): Html {
  const { tr, ctx } = page;
  const state = demo.state();
  const status =
    state.kind === 'running'
      ? h`<p role="status">${tr.t('setup.demo.running')}</p>${state.lines.length ? h`<pre>${state.lines.slice(-8).join('\n')}</pre>` : undefined}`
      : state.kind === 'done'
        ? h`<p role="status">${tr.t('setup.demo.done')}<a href="${communityPath(state.communityId)}">${state.communityId}</a></p>`
        : state.kind === 'failed'
          ? h`<p class="error">${tr.t('setup.demo.failed', { detail: state.detail })}</p>`
          : undefined;
  return h`<section aria-labelledby="demo-title" class="panel">
  <h2 id="demo-title">${tr.t('setup.demo.title')}</h2>
  <p>${tr.t('setup.demo.intro')}</p>
  ${status}
  ${
    state.kind === 'running'
      ? undefined
      : h`<form method="post" action="/setup/demo">${tokenField(ctx)}<input type="hidden" name="_back" value="/setup">
  <div class="actions"><button type="submit" class="secondary">${tr.t('setup.demo.load')}</button></div></form>`
  }
</section>`;
}

/** What `/c/<id>` shows an unregistered community: the form that registers it, to an admin. */
export function unregisteredCommunity(page: Page): PageAnswer | undefined {
  if (!may(page.viewer, 'RegisterCommunity') || !isCommunityId(page.communityId)) return undefined;
  const { tr } = page;
  return {
    status: 404,
    html: layout(page.ctx, {
      title: tr.t('setup.new.title'),
      body: h`<h1>${tr.t('setup.new.title')}</h1>
<p>${tr.t('setup.unregistered', { communityId: page.communityId })}</p>
${registerForm(page, page.communityId)}`,
    }),
  };
}

type StepName = 'registry' | 'parties' | 'clerks' | 'settings' | 'procedures' | 'proposal';

interface Step {
  name: StepName;
  done: boolean;
  /** What is there, when done. */
  detail?: string;
  /** Who does it, when not the viewer. */
  who?: string;
  href: string;
}

/** Settings an administrator changed from the defaults (to the statute's provisions). */
function settingsAdjusted(settings: CommunitySettings): boolean {
  const d = defaultCommunitySettings;
  return (
    settings.proxyLimit !== d.proxyLimit ||
    settings.parkingSpacesVote !== d.parkingSpacesVote ||
    settings.deemedConsent !== d.deemedConsent ||
    settings.developerId !== d.developerId ||
    settings.deemedConsentStatuteRef !== undefined ||
    settings.reminderDaysBeforeClose !== undefined
  );
}

function stepsOf(page: Page, community: CommunityView, proposals: number | undefined): Step[] {
  const { tr } = page;
  const at = (rest: string) => communityPath(page.communityId, rest);
  const parties = community.parties.filter((p) => p.active);
  const representatives = parties.reduce((n, p) => n + p.representativeIds.length, 0);
  const { counts } = community;
  return [
    {
      name: 'registry',
      done: counts.units > 0,
      detail: tr.t('setup.step.registry.done', { units: counts.units, persons: counts.persons }),
      href: '#upload',
    },
    {
      name: 'parties',
      done: parties.length > 0 && representatives > 0,
      detail: tr.t('setup.step.parties.done', { parties: parties.length, representatives }),
      href: at('/registry#registry-parties'),
    },
    {
      name: 'clerks',
      done: community.clerkIds.length > 0,
      detail: tr.t('setup.step.clerks.done', { clerks: community.clerkIds.length }),
      href: at('/registry#registry-officers'),
    },
    {
      name: 'settings',
      done: settingsAdjusted(community.settings),
      detail: tr.t('setup.step.settings.done'),
      href: at('/registry#registry-settings'),
    },
    {
      name: 'procedures',
      done: community.procedures.length > 0,
      detail: tr.t('setup.step.procedures.done', { procedures: community.procedures.length }),
      href: at('/registry#registry-procedures'),
    },
    {
      name: 'proposal',
      done: (proposals ?? 0) > 0,
      detail: tr.t('setup.step.proposal.done', { proposals: proposals ?? 0 }),
      href: at('/proposals/new'),
      ...(may(page.viewer, 'SubmitProposal') ? {} : { who: tr.t('setup.step.proposal.who') }),
    },
  ];
}

function checklist(page: Page, steps: readonly Step[]): Html {
  const { tr } = page;
  const next = steps.find((s) => !s.done)?.name;
  return h`<ol class="cards checklist">${steps.map((s) => {
    const state = s.done
      ? badge('ok', tr.t('setup.done'))
      : s.name === next
        ? badge('warn', tr.t('setup.next'))
        : badge('info', tr.t('setup.todo'));
    return h`<li${s.name === next ? h` aria-current="step"` : undefined}>
  <a class="title" href="${s.href}">${tr.t(`setup.step.${s.name}`)}</a>
  <div>${state}${s.done && s.detail ? h` <span class="muted">${s.detail}</span>` : undefined}</div>
  ${!s.done && s.who ? h`<p class="muted">${s.who}</p>` : undefined}
</li>`;
  })}</ol>`;
}

/** The upload form (multipart): files, and whether only to check. */
function uploadForm(page: Page): Html {
  const { tr, ctx } = page;
  const scope = new FormScope(ctx, 'upload');
  return h`<form class="action" id="upload" method="post" enctype="multipart/form-data"
  action="${communityPath(page.communityId, '/setup/import')}" aria-labelledby="upload-title">
  <h3 id="upload-title">${tr.t('setup.upload.title')}</h3>
  <p>${tr.t('setup.upload.intro')}</p>
  ${tokenField(ctx)}
  <div class="field">
    <label for="upload-files">${tr.t('setup.upload.files')}</label>
    <span class="hint" id="upload-files-hint">${tr.t('setup.upload.files.hint')}</span>
    <input id="upload-files" name="files" type="file" multiple required accept=".csv,.xlsx,text/csv" aria-describedby="upload-files-hint">
  </div>
  ${checkbox(scope, { name: 'dryRun', label: tr.t('setup.upload.dryRun') })}
  <div class="actions"><button type="submit">${tr.t('setup.upload.submit')}</button></div>
</form>`;
}

/** `/c/<id>/setup`: the checklist, with the registry upload. */
export async function setupPage(page: Page): Promise<PageAnswer> {
  const { tr } = page;
  const [community, proposals] = await Promise.all([
    loadCommunity(page),
    read<ProposalList>(page, communityApi(page, '/proposals'), { limit: 1 }),
  ]);
  if (!community.ok) {
    if (community.problem.status === 404) {
      const form = unregisteredCommunity(page);
      if (form) return form;
    }
    return {
      status: statusOf(community.problem),
      html: layout(page.ctx, {
        title: tr.t('setup.title'),
        body: h`<h1>${tr.t('setup.title')}</h1>${queryProblem(tr, community.problem)}`,
      }),
    };
  }
  const steps = stepsOf(
    page,
    community.data,
    proposals.ok ? proposals.data.items.length : undefined,
  );
  return {
    html: layout(page.ctx, {
      title: `${tr.t('setup.title')} · ${community.data.name}`,
      body: h`<h1>${tr.t('setup.title')}</h1>
<p>${community.data.name} <span class="muted">(${community.data.communityId})</span></p>
<p>${tr.t('setup.intro')}</p>
${checklist(page, steps)}
<p><a class="button secondary" href="${communityPath(page.communityId, '/registry')}">${tr.t('nav.registry')}</a></p>
${may(page.viewer, 'RegisterPerson') ? uploadForm(page) : undefined}`,
    }),
  };
}

/** The import's answer: the problems row by row, or what changed. */
export function uploadReport(page: Page, outcome: UploadOutcome): PageAnswer {
  const { tr } = page;
  const back = h`<p><a class="button" href="${communityPath(page.communityId, '/setup')}">${tr.t('setup.report.back')}</a></p>`;
  const title = tr.t('setup.report.title');
  const page_ = (status: PageAnswer['status'], body: Html): PageAnswer => ({
    status,
    html: layout(page.ctx, { title, body: h`<h1>${title}</h1>${body}${back}` }),
  });
  switch (outcome.kind) {
    case 'refused':
      return page_(
        outcome.problem.status === 403 ? 403 : 400,
        h`<div class="banner bad" role="alert">${problemText(tr, outcome.problem)}</div>`,
      );
    case 'rows': {
      const rows = new Set(outcome.problems.map((p) => `${p.sheet}\u0000${p.row}`)).size;
      return page_(
        422,
        h`<div class="banner bad" role="alert"><p>${tr.t('setup.report.refused', { rows })}</p></div>
<div class="table-wrap"><table>
<thead><tr><th scope="col">${tr.t('setup.report.sheet')}</th><th scope="col">${tr.t('setup.report.row')}</th><th scope="col">${tr.t('setup.report.column')}</th><th scope="col">${tr.t('setup.report.problem')}</th></tr></thead>
<tbody>${outcome.problems.map(
          (p) =>
            h`<tr><td>${p.sheet}</td><td>${p.row}</td><td>${p.column}</td><td>${p.message}</td></tr>`,
        )}</tbody></table></div>`,
      );
    }
    case 'imported': {
      const { result } = outcome;
      const total = Object.values(result.changes).reduce((a, b) => a + b, 0);
      const said = result.dryRun
        ? tr.t('setup.report.dryRun')
        : total === 0
          ? tr.t('setup.report.unchanged')
          : tr.t('setup.report.imported');
      return page_(
        200,
        h`<div class="banner ok" role="status"><p>${said}</p></div>
<div class="table-wrap"><table>
<thead><tr><th scope="col">${tr.t('setup.report.change')}</th><th scope="col">${tr.t('setup.report.count')}</th></tr></thead>
<tbody>${changeKinds
          .filter((k) => (result.changes[k] ?? 0) > 0)
          .map(
            (k) => h`<tr><td>${tr.t(`setup.change.${k}`)}</td><td>${result.changes[k]}</td></tr>`,
          )}</tbody></table></div>`,
      );
    }
    default: {
      const _exhaustive: never = outcome;
      throw new Error('unknown outcome');
    }
  }
}
