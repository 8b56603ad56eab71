import {
  type CommandsOf,
  type Decider,
  type Decision,
  type EventsOf,
  eventsFor,
} from '../shared/decider.ts';
import { refuse } from '../shared/errors.ts';
import { defined } from '../shared/objects.ts';
import type { attachmentCommandSchemas, attachmentEventSchemas } from './schemas.ts';

export * from './schemas.ts';

export type AttachmentCommand = CommandsOf<typeof attachmentCommandSchemas>;
export type AttachmentEvent = EventsOf<typeof attachmentEventSchemas>;

export type AttachmentState =
  | { readonly status: 'none' }
  | { readonly status: 'uploaded'; readonly sha256: string; readonly mediaType: string };

function decide(command: AttachmentCommand, state: AttachmentState): Decision<AttachmentEvent> {
  const emit = eventsFor<AttachmentEvent>(command);
  switch (command.type) {
    case 'RecordAttachment':
      // The same bytes again: recorded once (the service answers with the first record).
      if (state.status === 'uploaded') {
        return refuse('already-exists', `attachment ${command.data.sha256} is recorded`);
      }
      return [emit('AttachmentUploaded', defined(command.data))];
    default: {
      const _exhaustive: never = command.type;
      return refuse('invalid-command', 'unknown command');
    }
  }
}

function evolve(_state: AttachmentState, event: AttachmentEvent): AttachmentState {
  switch (event.type) {
    case 'AttachmentUploaded':
      return { status: 'uploaded', sha256: event.data.sha256, mediaType: event.data.mediaType };
    default: {
      const _exhaustive: never = event.type;
      return _state;
    }
  }
}

export const attachmentDecider: Decider<AttachmentCommand, AttachmentEvent, AttachmentState> = {
  initialState: () => ({ status: 'none' }),
  evolve,
  decide,
};
