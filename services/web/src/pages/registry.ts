import type { PersonPage } from '@yishi/projection/contract';
import { offered } from '../actions/action.ts';
import {
  type RegistryContext,
  type RegistrySection,
  registryActions,
  registryLists,
  registrySections,
  type UnitListing,
} from '../actions/registry.ts';
import { type Html, h } from '../html.ts';
import { communityPath, layout, queryProblem } from '../views/layout.ts';
import {
  communityApi,
  loadCommunity,
  type Page,
  type PageAnswer,
  personLabel,
  read,
  statusOf,
} from './page.ts';

// The registry page (名册管理) of a community, for its clerks and administrators: what the
// registry holds, and one section of forms for each kind of thing in it.

/** How many persons and units the page lists for its choices (the query's largest page). */
const LISTED = 5000;

interface UnitPage {
  items: UnitListing[];
}

/** What the registry forms choose from: the community, its persons and units. */
export async function registryContext(page: Page): Promise<RegistryContext | PageAnswer> {
  const [community, persons, units] = await Promise.all([
    loadCommunity(page),
    read<PersonPage>(page, communityApi(page, '/persons'), { limit: LISTED }),
    read<UnitPage>(page, communityApi(page, '/units'), { limit: LISTED }),
  ]);
  if (!community.ok) {
    return {
      status: statusOf(community.problem),
      html: layout(page.ctx, {
        title: page.communityId,
        body: h`<h1>${page.communityId}</h1>${queryProblem(page.tr, community.problem)}`,
      }),
    };
  }
  return {
    page,
    base: communityPath(page.communityId, '/registry'),
    community: community.data,
    persons: persons.ok ? persons.data.items : [],
    units: units.ok ? units.data.items : [],
  };
}

function summaryOf(c: RegistryContext, section: RegistrySection): Html | undefined {
  const { tr } = c.page;
  const names = new Map(c.persons.map((p) => [p.personId, p.displayName]));
  const who = (ids: readonly string[]) =>
    ids.map((id) => personLabel(tr, names, id)).join(tr.sep) || '—';
  switch (section) {
    case 'persons':
      return h`<p class="muted">${tr.t('registry.persons.count', { persons: c.community.counts.persons })}</p>`;
    case 'units':
      return h`<p class="muted">${tr.t('registry.units.count', { units: c.community.counts.units })}</p>`;
    case 'parties': {
      const active = c.community.parties.filter((p) => p.active);
      return active.length
        ? h`<ul>${active.map(
            (p) =>
              h`<li>${p.name} <span class="muted">(${p.partyId} · ${tr.label('partyKind', p.kind)}) · ${tr.t('community.representatives')}${tr.colon}${who(p.representativeIds)}</span></li>`,
          )}</ul>`
        : h`<p class="muted">${tr.t('registry.none')}</p>`;
    }
    case 'officers':
      return h`<p>${tr.t('community.clerks')}${tr.colon}${who(c.community.clerkIds)}</p>`;
    case 'procedures':
      return c.community.procedures.length
        ? h`<ul>${c.community.procedures.map(
            (p) => h`<li>${p.name} <span class="muted">(${p.templateId} v${p.version})</span></li>`,
          )}</ul>`
        : h`<p class="muted">${tr.t('setup.step.procedures.builtIn')}</p>`;
    default:
      return undefined;
  }
}

export async function registryPage(page: Page): Promise<PageAnswer> {
  const c = await registryContext(page);
  if (!('community' in c)) return c;
  const { tr } = page;
  const name = c.community.name;
  const sections = registrySections.map((section) => {
    const forms = offered(registryActions, c, section);
    const id = `registry-${section}`;
    return h`<section aria-labelledby="${id}" class="panel">
  <h2 id="${id}">${tr.t(`registry.section.${section}`)}</h2>
  ${summaryOf(c, section)}
  ${forms}
</section>`;
  });
  return {
    html: layout(page.ctx, {
      title: `${tr.t('registry.title')} · ${name}`,
      body: h`<h1>${tr.t('registry.title')}</h1>
<p><a href="${communityPath(page.communityId, '/setup')}">${tr.t('nav.setup')}</a> ·
<a href="${communityPath(page.communityId)}">${name}</a></p>
<nav aria-label="${tr.t('registry.title')}"><ul class="inline">${registrySections.map(
        (s) => h`<li><a href="#registry-${s}">${tr.t(`registry.section.${s}`)}</a></li>`,
      )}</ul></nav>
${sections}
${registryLists(c)}`,
    }),
  };
}
