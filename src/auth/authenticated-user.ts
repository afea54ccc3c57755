/** Who is calling, as established by the one token check (HTTP guard or socket handshake). */
export interface AuthenticatedUser {
  userId: string;
  /** The token's id: its session record. */
  jti: string;
  name: string;
  username: string;
  /** When the token (and its session) expires. */
  expiresAt: Date;
}

/** Where the request object keeps the caller once authenticated. */
export interface RequestWithUser {
  user?: AuthenticatedUser;
}
