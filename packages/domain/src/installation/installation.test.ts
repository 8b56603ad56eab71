import { describe, expect, it } from 'vitest';
import type { Actor } from '../shared/decider.ts';
import { communityOfStream, streams } from '../shared/streams.ts';
import { commandsOf, day, history, specFor } from '../testing/spec.ts';
import {
  type InstallationCommand,
  type InstallationEvent,
  installationDecider,
  installationEventSchemas,
} from './installation.ts';

// The installation's administrators and officials: the first administrator once, every later
// one and every official by an administrator of the installation.

const spec = specFor(installationDecider, installationEventSchemas);
const c = commandsOf<InstallationCommand>();
const first: Actor = { personId: 'adm1', role: 'admin' };
const second: Actor = { personId: 'adm2', role: 'admin' };
const run = (commands: InstallationCommand[], from: InstallationEvent[] = []) =>
  history(installationDecider, commands, from);
const bootstrapped = () => run([c('BootstrapAdmin', { personId: 'adm1' }, first, day(0))]);

describe('the installation', () => {
  it('has a stream of no community', () => {
    expect(communityOfStream(streams.installation())).toBeUndefined();
  });

  it('records the first administrator once, as the person sending it', () => {
    spec
      .given()
      .when(c('BootstrapAdmin', { personId: 'adm1' }, first, day(0)))
      .then([{ type: 'AdminBootstrapped', data: { personId: 'adm1', at: day(0), by: first } }]);
    spec
      .given()
      .when(c('BootstrapAdmin', { personId: 'adm9' }, first, day(0)))
      .thenRefused('not-authorised');
    spec
      .given(bootstrapped())
      .when(c('BootstrapAdmin', { personId: 'adm2' }, second, day(1)))
      .thenRefused('already-exists');
  });

  it('lets only an administrator of the installation appoint, whatever a token says', () => {
    const official = { personId: 'off1', communities: ['c1', 'c2'], office: '幸福街道办事处' };
    spec
      .given()
      .when(c('AppointOfficial', official, first, day(0)))
      .thenRefused('not-authorised');
    spec
      .given(bootstrapped())
      .when(c('AppointOfficial', official, second, day(1)))
      .thenRefused('not-authorised', { personId: 'adm2' });
    const state = spec
      .given(bootstrapped())
      .when(c('AppointOfficial', official, first, day(1)))
      .thenState();
    expect(state.officials.off1).toEqual(official);
  });

  it('re-appoints an official with new communities, and revokes them', () => {
    const events = run(
      [
        c(
          'AppointOfficial',
          { personId: 'off1', communities: ['c1'], office: '民政局' },
          first,
          day(1),
        ),
        c(
          'AppointOfficial',
          { personId: 'off1', communities: ['*'], office: '民政局' },
          first,
          day(2),
        ),
      ],
      bootstrapped(),
    );
    expect(events.at(-1)?.data).toMatchObject({ communities: ['*'], reappointed: true });
    spec
      .given(events)
      .when(
        c(
          'AppointOfficial',
          { personId: 'off1', communities: ['*'], office: '民政局' },
          first,
          day(3),
        ),
      )
      .thenRefused('already-exists');
    const state = spec
      .given(events)
      .when(c('RevokeOfficial', { personId: 'off1', reason: '调离' }, first, day(3)))
      .thenState();
    expect(state.officials).toEqual({});
    spec
      .given(events)
      .when(c('RevokeOfficial', { personId: 'off2', reason: '调离' }, first, day(3)))
      .thenRefused('not-found');
  });

  it('appoints and revokes administrators, never the last one', () => {
    const events = run([c('AppointAdmin', { personId: 'adm2' }, first, day(1))], bootstrapped());
    spec
      .given(events)
      .when(c('AppointAdmin', { personId: 'adm2' }, first, day(2)))
      .thenRefused('already-exists');
    const after = run(
      [c('RevokeAdmin', { personId: 'adm1', reason: '退休' }, second, day(2))],
      events,
    );
    expect(after.at(-1)?.type).toBe('AdminRevoked');
    spec
      .given(after)
      .when(c('RevokeAdmin', { personId: 'adm2', reason: '退休' }, second, day(3)))
      .thenRefused('invalid-command');
    // The revoked administrator manages nothing any more.
    spec
      .given(after)
      .when(c('AppointAdmin', { personId: 'adm3' }, first, day(3)))
      .thenRefused('not-authorised');
  });
});
