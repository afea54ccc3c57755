import type { Role } from '../protocol/events.js';
import type { Participant, WaitingEntry } from '../rooms/room-registry.js';

/** Injection token of the CallRecorder implementation (the Meetings module's attendance). */
export const CALL_RECORDER = Symbol('CALL_RECORDER');

/** How a visit to a meeting's call ended. */
export type VisitEndReason = 'left' | 'removed' | 'disconnected' | 'meeting-ended';

/** A participant of a registered meeting's live session (open rooms have no session). */
export type SessionParticipant = Participant & { sessionId: string };

/** The meeting a session belongs to, as the call rules read it. */
export interface RecordedMeeting {
  code: string;
  title?: string;
}

/**
 * Where the call rules report what attendance reports and webhooks are made of, for
 * registered meetings only. Every method returns at once: recording never slows a join or
 * the relay, and a fact reported twice (by two instances) is recorded once.
 */
export interface CallRecorder {
  /** A new, unique session id (for the first entrant of an empty meeting room). */
  newSessionId(): string;
  /**
   * A visit began: `roomSize` members now (the registry's count, across instances); `first`:
   * the visitor opened the session (the room was empty).
   */
  entered(
    meeting: RecordedMeeting,
    participant: SessionParticipant,
    roomSize: number,
    first: boolean,
  ): void;
  /**
   * A visit ended at `leftAt` (ms). `sessionEnded`: nobody is left, the session is over.
   * A removal names who removed them and whether they were banned.
   */
  left(
    participant: SessionParticipant,
    reason: VisitEndReason,
    leftAt: number,
    details: { sessionEnded: boolean; removedBy?: Participant; banned?: boolean },
  ): void;
  /** A member's role changed during the visit (a host made them co-host, or not). */
  roleChanged(participant: SessionParticipant, role: Role): void;
  /** Someone started waiting in a meeting's waiting room. */
  waiting(entry: WaitingEntry, sessionId: string | undefined): void;
  /** Writes what is still pending, within a time limit: the last step before shutdown. */
  flush(): Promise<void>;
}

/** Whether the participant is in a registered meeting's session. */
export function inSession(participant: Participant): participant is SessionParticipant {
  return participant.sessionId !== undefined;
}
