import type { WaitingRoomMode } from '../protocol/events.js';

/** Injection token of the MeetingRules implementation (the Meetings module's service). */
export const MEETING_RULES = Symbol('MEETING_RULES');

/** What joining a registered meeting must respect (read from the meeting's settings). */
export interface MeetingJoinRules {
  code: string;
  title?: string;
  /** The account that created the meeting: its host, from every device it joins with. */
  hostId: string;
  allowGuests: boolean;
  muteOnEntry: boolean;
  waitingRoom: WaitingRoomMode;
  passcodeRequired: boolean;
  /**
   * Whether `candidate` is the passcode, compared in constant time. Without a passcode
   * (`passcodeRequired` false) every candidate is accepted; a non-string never matches one.
   */
  passcodeMatches(candidate: string): boolean;
  /** Whether the host banned this account. */
  isBanned(userId: string): boolean;
}

/**
 * Where the call rules learn whether a room is a registered meeting, and its settings: the
 * database, so every instance decides alike. Rooms that are not registered meetings are open.
 */
export interface MeetingRules {
  joinRules(roomId: string): Promise<MeetingJoinRules | undefined>;
  /**
   * Stores a setting a host changed during the call (as the host `hostId`); `quiet`: the
   * caller applies it to the live session itself (the settings listeners are not called).
   */
  updateSettings(
    hostId: string,
    code: string,
    settings: { muteOnEntry?: boolean; waitingRoom?: WaitingRoomMode },
    options?: { quiet?: boolean },
  ): Promise<unknown>;
  /** Bans an account from the meeting (stored with it: survives restarts). */
  banUser(code: string, userId: string): Promise<void>;
  /**
   * Calls `listener` when a host deletes a meeting (after the meeting is gone, before the
   * deletion is answered), so its live session can be ended. Returns the unsubscribe.
   */
  onDeleted(listener: MeetingDeletedListener): () => void;
  /**
   * Calls `listener` when a host changes a meeting's settings over REST (after they are
   * stored, before the change is answered), so its live session follows. The unsubscribe.
   */
  onSettingsChanged(listener: MeetingDeletedListener): () => void;
}

/** Told that a meeting was deleted, or its settings changed, by its host (`hostId`). */
export type MeetingDeletedListener = (code: string, hostId: string) => Promise<void>;
