import { nestsDeeperThan } from '../../common/nesting.js';
import { invalidArgument, SignalingFailure } from './errors.js';
import type { ClientEventName, MediaState, SignalPayload, WaitingRoomMode } from './events.js';
import {
  CHAT_TEXT_MAX_LENGTH,
  DISPLAY_NAME_MAX_LENGTH,
  ROOM_ID_MAX_LENGTH,
  SIGNAL_MAX_BYTES,
  SOCKET_ID_MAX_LENGTH,
  SIGNAL_MAX_DEPTH,
  PASSCODE_MAX_LENGTH,
} from './limits.js';
import { normalizeRoomId } from './room-id.js';

/*
 * One parser per client event: the event's arguments as received (`unknown[]`, acknowledgement
 * already removed) → a typed message, or a SignalingFailure that says what is wrong. Parsers
 * check shape and size only; whether the event is allowed is the call rules' business.
 */

/** Who sent the arguments, as far as parsing is concerned. */
export interface ParseContext {
  /**
   * Signed-in callers speak under their account name: the display and sender names they send
   * are ignored, so they are not checked either (an account name may be longer than a guest's).
   */
  signedIn: boolean;
}

export interface JoinCallMessage {
  /** Normalised: a meeting URL gives its last path segment. */
  roomId: string;
  /** A guest's name, trimmed; absent when none (or a blank one) was sent. */
  displayName?: string;
  /** The meeting's passcode, when the client gave one (`options.passcode`). */
  passcode?: string;
}

export interface SignalMessage {
  targetSocketId: string;
  payload: SignalPayload;
}

export interface ChatMessage {
  /** Trimmed, 1 to CHAT_TEXT_MAX_LENGTH characters. */
  text: string;
  /** A guest's sender name, trimmed; absent when none (or a blank one) was sent. */
  senderName?: string;
}

export interface MediaStateMessage {
  media: MediaState;
}

export interface RaiseHandMessage {
  raised: boolean;
}

/** A host action aimed at one member. */
export interface TargetMessage {
  targetSocketId: string;
}

export interface SetRoleMessage extends TargetMessage {
  role: 'cohost' | 'participant';
}

export interface RemoveMessage extends TargetMessage {
  ban: boolean;
}

/** At least one change. */
export interface UpdateMeetingMessage {
  locked?: boolean;
  muteOnEntry?: boolean;
  waitingRoom?: WaitingRoomMode;
}

/** What each client event carries once parsed. */
export interface ClientMessages {
  'join-call': JoinCallMessage;
  signal: SignalMessage;
  'chat-message': ChatMessage;
  'leave-call': Record<string, never>;
  'media-state': MediaStateMessage;
  'raise-hand': RaiseHandMessage;
  'set-role': SetRoleMessage;
  'mute-participant': TargetMessage;
  'mute-all': Record<string, never>;
  'remove-participant': RemoveMessage;
  'end-meeting': Record<string, never>;
  'update-meeting': UpdateMeetingMessage;
  admit: TargetMessage;
  'admit-all': Record<string, never>;
  deny: TargetMessage;
}

export type ParseResult<E extends ClientEventName> = ClientMessages[E] | SignalingFailure;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.getPrototypeOf(value) === Object.prototype
  );
}

/**
 * The one display-name rule (a guest's name when joining, a chat sender name): a string,
 * trimmed, at most DISPLAY_NAME_MAX_LENGTH characters. Absent, null or blank → undefined,
 * so the caller's default applies.
 */
export function parseDisplayName(
  raw: unknown,
  field: string,
): string | undefined | SignalingFailure {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string') return invalidArgument(`${field} must be a string`);
  const name = raw.trim();
  if (name.length > DISPLAY_NAME_MAX_LENGTH) {
    return invalidArgument(`${field} must be at most ${DISPLAY_NAME_MAX_LENGTH} characters`);
  }
  return name === '' ? undefined : name;
}

export function parseJoinCall(args: unknown[], context: ParseContext): ParseResult<'join-call'> {
  const roomId = normalizeRoomId(args[0]);
  if (roomId === undefined) {
    return invalidArgument(
      `roomId must be a meeting code or meeting URL giving 1-${ROOM_ID_MAX_LENGTH} characters`,
    );
  }
  const options = parseJoinOptions(args[2]);
  if (options instanceof SignalingFailure) return options;
  const message: JoinCallMessage = { roomId, ...options };
  if (context.signedIn) return message;
  const displayName = parseDisplayName(args[1], 'display name');
  if (displayName instanceof SignalingFailure) return displayName;
  if (displayName !== undefined) message.displayName = displayName;
  return message;
}

/** `join-call`'s third argument: absent, or `{passcode?}`. */
function parseJoinOptions(raw: unknown): { passcode?: string } | SignalingFailure {
  if (raw === undefined || raw === null) return {};
  if (!isPlainObject(raw)) return invalidArgument('options must be an object');
  const { passcode } = raw;
  // An empty field is no passcode at all (`passcode-required`, not a counted wrong try).
  if (passcode === undefined || passcode === null || passcode === '') return {};
  if (typeof passcode !== 'string' || passcode.length > PASSCODE_MAX_LENGTH) {
    return invalidArgument(
      `passcode must be a string of at most ${PASSCODE_MAX_LENGTH} characters`,
    );
  }
  return { passcode };
}

const SIGNAL_TOO_BIG = `signal payload must be at most ${SIGNAL_MAX_BYTES / 1024} KB`;

export function parseSignal(args: unknown[]): ParseResult<'signal'> {
  const [target, payload] = args;
  if (typeof target !== 'string' || target === '' || target.length > SOCKET_ID_MAX_LENGTH) {
    return invalidArgument('target must be a socket id');
  }
  if (typeof payload === 'string') {
    // A UTF-8 string is at most 3 bytes per UTF-16 unit: measure only when it may be too big.
    if (payload.length * 3 > SIGNAL_MAX_BYTES && Buffer.byteLength(payload) > SIGNAL_MAX_BYTES) {
      return invalidArgument(SIGNAL_TOO_BIG);
    }
  } else if (isPlainObject(payload)) {
    // Checked first: JSON.stringify recurses and throws past a few thousand levels.
    if (nestsDeeperThan(payload, SIGNAL_MAX_DEPTH)) {
      return invalidArgument(`signal payload must nest at most ${SIGNAL_MAX_DEPTH} levels`);
    }
    if (Buffer.byteLength(JSON.stringify(payload)) > SIGNAL_MAX_BYTES) {
      return invalidArgument(SIGNAL_TOO_BIG);
    }
  } else {
    return invalidArgument('signal payload must be a string or an object');
  }
  return { targetSocketId: target, payload };
}

export function parseChatMessage(
  args: unknown[],
  context: ParseContext,
): ParseResult<'chat-message'> {
  const [rawText, rawSender] = args;
  if (typeof rawText !== 'string') return invalidArgument('text must be a string');
  const text = rawText.trim();
  if (text.length === 0 || text.length > CHAT_TEXT_MAX_LENGTH) {
    return invalidArgument(`text must be 1-${CHAT_TEXT_MAX_LENGTH} characters`);
  }
  if (context.signedIn) return { text };
  const senderName = parseDisplayName(rawSender, 'sender');
  if (senderName instanceof SignalingFailure) return senderName;
  return senderName === undefined ? { text } : { text, senderName };
}

export function parseLeaveCall(): ParseResult<'leave-call'> {
  return {};
}

export function parseMediaState(args: unknown[]): ParseResult<'media-state'> {
  const [state] = args;
  if (
    !isPlainObject(state) ||
    typeof state.audio !== 'boolean' ||
    typeof state.video !== 'boolean' ||
    typeof state.screen !== 'boolean'
  ) {
    return invalidArgument('media state must be {audio, video, screen} booleans');
  }
  return { media: { audio: state.audio, video: state.video, screen: state.screen } };
}

export function parseRaiseHand(args: unknown[]): ParseResult<'raise-hand'> {
  const [raised] = args;
  if (typeof raised !== 'boolean') return invalidArgument('raised must be a boolean');
  return { raised };
}

function parseTarget(raw: unknown): string | SignalingFailure {
  return typeof raw === 'string' && raw !== '' && raw.length <= SOCKET_ID_MAX_LENGTH
    ? raw
    : invalidArgument('socketId must be a socket id');
}

export function parseSetRole(args: unknown[]): ParseResult<'set-role'> {
  const target = parseTarget(args[0]);
  if (target instanceof SignalingFailure) return target;
  const role = args[1];
  if (role !== 'cohost' && role !== 'participant') {
    return invalidArgument("role must be 'cohost' or 'participant'");
  }
  return { targetSocketId: target, role };
}

/** One member or waiting socket as the target (mute-participant, admit, deny). */
export function parseMuteParticipant(args: unknown[]): ParseResult<'mute-participant'> {
  const target = parseTarget(args[0]);
  return target instanceof SignalingFailure ? target : { targetSocketId: target };
}

export function parseRemoveParticipant(args: unknown[]): ParseResult<'remove-participant'> {
  const target = parseTarget(args[0]);
  if (target instanceof SignalingFailure) return target;
  const options = args[1];
  if (options === undefined || options === null) return { targetSocketId: target, ban: false };
  if (!isPlainObject(options)) return invalidArgument('options must be an object');
  if (options.ban !== undefined && typeof options.ban !== 'boolean') {
    return invalidArgument('ban must be a boolean');
  }
  return { targetSocketId: target, ban: options.ban === true };
}

export function parseUpdateMeeting(args: unknown[]): ParseResult<'update-meeting'> {
  const [changes] = args;
  if (!isPlainObject(changes)) return invalidArgument('changes must be an object');
  const message: UpdateMeetingMessage = {};
  for (const [key, value] of Object.entries(changes)) {
    if (key === 'locked' || key === 'muteOnEntry') {
      if (typeof value !== 'boolean') return invalidArgument(`${key} must be a boolean`);
      message[key] = value;
    } else if (key === 'waitingRoom') {
      if (value !== 'off' && value !== 'guests' && value !== 'everyone') {
        return invalidArgument("waitingRoom must be 'off', 'guests' or 'everyone'");
      }
      message.waitingRoom = value;
    } else {
      return invalidArgument('changes may only carry locked, muteOnEntry and waitingRoom');
    }
  }
  if (Object.keys(message).length === 0) return invalidArgument('changes must change something');
  return message;
}

function parseNoArguments(): Record<string, never> {
  return {};
}

/** The parser of every client event. */
export const MESSAGE_PARSERS: {
  readonly [E in ClientEventName]: (args: unknown[], context: ParseContext) => ParseResult<E>;
} = {
  'join-call': parseJoinCall,
  signal: parseSignal,
  'chat-message': parseChatMessage,
  'leave-call': parseLeaveCall,
  'media-state': parseMediaState,
  'raise-hand': parseRaiseHand,
  'set-role': parseSetRole,
  'mute-participant': parseMuteParticipant,
  'mute-all': parseNoArguments,
  'remove-participant': parseRemoveParticipant,
  'end-meeting': parseNoArguments,
  'update-meeting': parseUpdateMeeting,
  admit: parseMuteParticipant,
  'admit-all': parseNoArguments,
  deny: parseMuteParticipant,
};
