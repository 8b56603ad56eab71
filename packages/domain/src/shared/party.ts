import { z } from 'zod';

/** Consultation parties (协商主体), domain.md section 1. */
export const PartyKind = z.enum([
  /** 社区党组织 / 村党组织 */
  'party-organisation',
  /** 居民委员会 */
  'residents-committee',
  /** 村民委员会 */
  'villagers-committee',
  /** 业主委员会, or 自管会/物管会 where there is none */
  'owners-committee',
  /** 物业服务企业 */
  'property-company',
  /** 驻区单位 */
  'resident-unit',
  /** 社会组织 */
  'social-organisation',
  /** 监督委员会 (居务/村务监督委员会) */
  'supervision-committee',
]);
export type PartyKind = z.infer<typeof PartyKind>;
