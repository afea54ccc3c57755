import type { AuthenticatedUser } from '../../auth/authenticated-user.js';

/** Who sent a client event: the socket, and the account it signed in with (if any). */
export interface Caller {
  socketId: string;
  user?: AuthenticatedUser;
  /** A stable id for a guest socket (TURN usernames). */
  guestId: string;
  /** The client's address as rate limits key it (IPv6 by its /64). */
  address: string;
  /** The waiting room this socket last entered (a hint: a host may have let it in since). */
  waitingIn?: string;
}
