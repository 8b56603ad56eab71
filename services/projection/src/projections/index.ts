import { notificationsProjection } from '../notifications/projection.ts';
import { convocationsProjection } from './convocations.ts';
import { electoratesProjection } from './electorates.ts';
import { moneyProjection } from './money.ts';
import type { Projection } from './projection.ts';
import { proposalsProjection } from './proposals.ts';
import { registryProjection } from './registry.ts';
import { sessionsProjection } from './sessions.ts';
import { timelineProjection } from './timeline.ts';

/** Every projection the service runs. */
export const projections: readonly Projection[] = [
  timelineProjection,
  registryProjection,
  proposalsProjection,
  electoratesProjection,
  sessionsProjection,
  convocationsProjection,
  moneyProjection,
  notificationsProjection,
];

export function projectionNamed(name: string): Projection | undefined {
  return projections.find((p) => p.name === name);
}
