import { Injectable } from '@nestjs/common';

export type SessionRevokedListener = (jti: string) => void;

/**
 * Announces revoked sessions (logout) to whoever holds long-lived connections for them: the
 * signaling gateway disconnects the sockets of a signed-out token.
 */
@Injectable()
export class SessionEvents {
  private readonly listeners = new Set<SessionRevokedListener>();

  onRevoked(listener: SessionRevokedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  revoked(jti: string): void {
    for (const listener of this.listeners) listener(jti);
  }
}
