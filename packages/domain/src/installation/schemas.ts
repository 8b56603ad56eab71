import { z } from 'zod';
import { Actor, CommunityId, Id, IsoTime, Text } from '../shared/decider.ts';

// Commands and events of the installation (stream `installation`): who administers this
// installation of Yishi and which officials (街道, 民政) oversee which communities. These are
// persons of no community's registry; their phone numbers live with the sign-in (identity),
// never in an event.

/** The communities an official oversees: ids, or `*` for every community (e.g. 民政 of a city). */
export const OverseenCommunities = z
  .array(CommunityId.or(z.literal('*')))
  .min(1)
  .max(1000)
  .refine((ids) => new Set(ids).size === ids.length, 'a community is listed twice');

export const BootstrapAdminData = z.object({ personId: Id });
export const AppointAdminData = z.object({ personId: Id });
export const RevokeAdminData = z.object({ personId: Id, reason: Text(500) });
export const AppointOfficialData = z.object({
  personId: Id,
  communities: OverseenCommunities,
  /** The office the official works for (e.g. 某某街道办事处, 某区民政局): not personal. */
  office: Text(200),
});
export const RevokeOfficialData = z.object({ personId: Id, reason: Text(500) });

const Meta = { at: IsoTime, by: Actor };

export const installationCommandSchemas = {
  BootstrapAdmin: BootstrapAdminData,
  AppointAdmin: AppointAdminData,
  RevokeAdmin: RevokeAdminData,
  AppointOfficial: AppointOfficialData,
  RevokeOfficial: RevokeOfficialData,
} as const;

export const installationEventSchemas = {
  AdminBootstrapped: BootstrapAdminData.extend(Meta),
  AdminAppointed: AppointAdminData.extend(Meta),
  AdminRevoked: RevokeAdminData.extend(Meta),
  /** Appointed anew (the same person id again) replaces the communities and the office. */
  OfficialAppointed: AppointOfficialData.extend({ reappointed: z.boolean(), ...Meta }),
  OfficialRevoked: RevokeOfficialData.extend(Meta),
} as const;
