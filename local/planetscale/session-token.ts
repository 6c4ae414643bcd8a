// The opaque `session` object of the PlanetScale HTTP API (psdb.v1alpha1.Session: signature + vitessSession),
// minted, signed and read back by the gateway; database-js only stores it and sends it with the next Execute.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/** protobuf-JSON of psdb Session; field names follow ps-http-sim internal/session/session.go. */
export interface SessionToken {
  signature: string;
  vitessSession: {
    SessionUUID: string;
    targetString: string;
    autocommit: true;
    inTransaction?: true;
    options: { includedFields: 'ALL'; clientFoundRows: true };
  };
}

/** What the gateway needs from an incoming session. */
export interface SessionClaim {
  id: string;
  inTransaction: boolean;
}

/**
 * Signs session ids with a key that lives as long as the gateway, so a session from an earlier run (or a
 * forged one) is recognised as unknown instead of being attached to someone else's pinned connection.
 */
export class SessionTokens {
  private readonly key = randomBytes(32);

  constructor(private readonly database: string) {}

  newId(): string {
    return randomUUID();
  }

  token(id: string, inTransaction: boolean): SessionToken {
    return {
      signature: this.sign(id).toString('base64'),
      vitessSession: {
        SessionUUID: id,
        targetString: this.database,
        autocommit: true,
        ...(inTransaction ? { inTransaction: true as const } : {}),
        // ps-http-sim's session template: all field metadata, and UPDATE reports matched rows.
        options: { includedFields: 'ALL', clientFoundRows: true },
      },
    };
  }

  /**
   * The claim carried by a client's session, or null for none/malformed. `valid` is false when the signature
   * is not ours: the client still gets a reply, but its id is never trusted.
   */
  read(raw: unknown): (SessionClaim & { valid: boolean }) | null {
    if (!raw || typeof raw !== 'object') return null;
    const { signature, vitessSession } = raw as { signature?: unknown; vitessSession?: unknown };
    if (!vitessSession || typeof vitessSession !== 'object') return null;
    const vs = vitessSession as { SessionUUID?: unknown; inTransaction?: unknown };
    if (typeof vs.SessionUUID !== 'string' || vs.SessionUUID === '') return null;
    const inTransaction = vs.inTransaction === true;
    const presented = typeof signature === 'string' ? Buffer.from(signature, 'base64') : Buffer.alloc(0);
    const expected = this.sign(vs.SessionUUID);
    const valid = presented.length === expected.length && timingSafeEqual(presented, expected);
    return { id: vs.SessionUUID, inTransaction, valid };
  }

  private sign(id: string): Buffer {
    return createHmac('sha256', this.key).update(id).digest();
  }
}
