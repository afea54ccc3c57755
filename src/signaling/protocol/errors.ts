/** Every reason the server gives for refusing a client event. */
export const SIGNALING_ERROR_CODES = [
  'invalid-argument',
  'not-in-room',
  'target-not-in-room',
  'room-full',
  'banned',
  'meeting-locked',
  'guests-not-allowed',
  'passcode-required',
  'wrong-passcode',
  'not-allowed',
  'not-found',
  'rate-limited',
  'unavailable',
  'internal',
] as const;

export type SignalingErrorCode = (typeof SIGNALING_ERROR_CODES)[number];

/**
 * A client event refused by a rule: answered as `{ok: false, error: {code, message}}`, or as
 * a `signaling-error` event when the client passed no acknowledgement. Anything else that
 * fails is reported as `internal`, without its details.
 */
export class SignalingFailure extends Error {
  constructor(
    readonly code: SignalingErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SignalingFailure';
  }
}

export function invalidArgument(message: string): SignalingFailure {
  return new SignalingFailure('invalid-argument', message);
}
