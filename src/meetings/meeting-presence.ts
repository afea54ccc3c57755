/**
 * Whether a meeting has people in its call right now. Provided by the signaling side (which
 * knows the rooms); when no provider is bound, meetings are reported as not live.
 */
export const MEETING_PRESENCE = Symbol('MEETING_PRESENCE');

export interface MeetingPresence {
  /** `code` is a registered meeting's (lower-case) code. */
  isLive(code: string): Promise<boolean>;
}
