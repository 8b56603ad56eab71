import type { TablePhoneDirectory } from '@yishi/identity';
import { ConsoleClient, textOf } from '../../services/web/src/testing/http-client.ts';
import type { Api } from './client.ts';
import type { DemoCommunity } from './community.ts';
import type { DemoLog } from './scenarios.ts';

// The demo's people sign in to the console as anyone does: a phone number and the code the
// console shows in development (no SMS gateway). Their numbers are made up from their ids
// (ps0042 → 138 0000 0042); the installation's official and administrator get 139 numbers.

/** A demo person's phone number: 138 and the person's number. */
export function demoPhone(personId: string): string {
  const digits = personId.replace(/\D/g, '').padStart(8, '0').slice(-8);
  return `+86138${digits}`;
}

export const DEMO_ADMIN = { personId: 'demo-admin', phone: '+8613900000000' };
export const DEMO_OFFICIAL = {
  personId: 'off1',
  phone: '+8613900000001',
  office: '幸福街道办事处',
};

/**
 * Gives every person of the compound their number, and the installation an administrator and
 * an official for the community (unless the installation has another administrator already:
 * then officials are appointed by them, in the console).
 */
export async function linkPhones(
  api: Api,
  c: DemoCommunity,
  phones: TablePhoneDirectory,
  log: DemoLog,
): Promise<void> {
  for (const person of c.persons) {
    await phones.link(demoPhone(person.personId), {
      communityId: c.communityId,
      personId: person.personId,
    });
  }
  log(`  登记手机号 ${c.persons.length} 个 (phone numbers for sign-in, 138 + person number)`);
  const admin = api.as('admin', DEMO_ADMIN.personId);
  const first = await admin.post(
    '/v1/installation/bootstrap-admin',
    { personId: DEMO_ADMIN.personId },
    [200, 201, 409],
  );
  const appointed = await admin.post(
    '/v1/installation/appoint-official',
    {
      personId: DEMO_OFFICIAL.personId,
      communities: [c.communityId],
      office: DEMO_OFFICIAL.office,
    },
    [200, 201, 403, 409],
  );
  if (first.code === undefined) {
    await phones.link(DEMO_ADMIN.phone, { communityId: '', personId: DEMO_ADMIN.personId });
  }
  if (appointed.code === undefined || appointed.code === 'already-exists') {
    await phones.link(DEMO_OFFICIAL.phone, { communityId: '', personId: DEMO_OFFICIAL.personId });
    log(`  任命街道工作人员 ${DEMO_OFFICIAL.personId}（${DEMO_OFFICIAL.office}）`);
  } else {
    log('  街道工作人员未任命：本系统已有其他管理员，请在控制台“系统管理”中任命');
  }
}

export interface SignedIn {
  who: string;
  phone: string;
  capacity: string;
  /** The community page as the console showed it. */
  page: string;
}

/**
 * Signs in to the console as a few of the demo's people, each in the capacity named, and reads
 * the community's page: what a person sees after `pnpm demo`.
 */
export async function signInDemoPeople(
  webUrl: string,
  c: DemoCommunity,
  log: DemoLog,
): Promise<SignedIn[]> {
  const name = (personId: string) =>
    c.persons.find((p) => p.personId === personId)?.name ?? personId;
  const owner = c.owners[0]!;
  const people: [who: string, phone: string, capacity: string][] = [
    [`${name(owner)}（${owner}）`, demoPhone(owner), '以业主身份'],
    [`${name(c.clerkId)}（${c.clerkId}）`, demoPhone(c.clerkId), '以书记员身份'],
    [`${name(c.conveners[0]!)}（${c.conveners[0]}）`, demoPhone(c.conveners[0]!), '以召集人身份'],
    [DEMO_OFFICIAL.personId, DEMO_OFFICIAL.phone, '以街道/民政工作人员身份'],
  ];
  const signedIn: SignedIn[] = [];
  for (const [who, phone, capacity] of people) {
    const client = new ConsoleClient(webUrl);
    await client.signIn(phone, capacity);
    const page = await client.get(`/c/${c.communityId}`);
    const text = textOf(page.html);
    if (page.status !== 200 || !text.includes(capacity)) {
      throw new Error(`${who} did not sign in ${capacity}: ${text.slice(0, 300)}`);
    }
    signedIn.push({ who, phone, capacity, page: text });
    log(`  控制台登录 ${phone.slice(3)} ${who} ${capacity} ✓`);
  }
  return signedIn;
}
