import { notificationsProjection } from '../notifications/projection.ts';
import { convocationsProjection } from './convocations.ts';
import { discussionsProjection } from './discussions.ts';
import { electoratesProjection } from './electorates.ts';
import { evaluationsProjection } from './evaluations.ts';
import { moneyProjection } from './money.ts';
import type { Projection } from './projection.ts';
import { proposalsProjection } from './proposals.ts';
import { registryProjection } from './registry.ts';
import { sessionsProjection } from './sessions.ts';
import { standingBodiesProjection } from './standing-bodies.ts';
import { timelineProjection } from './timeline.ts';
import { wishesProjection } from './wishes.ts';

/** Every projection the service runs. */
export const projections: readonly Projection[] = [
  timelineProjection,
  registryProjection,
  proposalsProjection,
  electoratesProjection,
  sessionsProjection,
  convocationsProjection,
  // Participation: discussion and amendments, micro-wishes, evaluations.
  discussionsProjection,
  wishesProjection,
  evaluationsProjection,
  moneyProjection,
  notificationsProjection,
  standingBodiesProjection,
];

export function projectionNamed(name: string): Projection | undefined {
  return projections.find((p) => p.name === name);
}
