/**
 * One live connection of one Y.Doc to Narada's sync socket, with what the UI needs to know about
 * it: a connection state, whether local changes are safely stored, and refusals.
 *
 * It uses the stock `y-websocket` provider and adds three things around it, without changing the
 * protocol a stock client speaks:
 * - the y-protocols auth message ("permission denied") calls `onDenied` instead of only logging;
 * - Narada's opt-in durable acknowledgement (`ack=1`; the server sends `[varUint 100][varUint N]`
 *   when the first N sync step-2/update messages this socket sent are committed) drives the
 *   "all changes saved" hint: a wrapped WebSocket counts what it sends;
 * - a developer token that has expired is renewed before the next reconnect;
 * - a signed-in person's token (source `session`) is asked for again after every close by the
 *   server or refused connection, before reconnecting: it may have expired, or access may have
 *   changed (the server closes with 4403 when it is revoked, and refuses tokens issued before
 *   that). The answer decides: the same kind of access reconnects, a different role restarts
 *   the editor (`onRoleChanged`), no access or no session ends the session (`onClosed` with
 *   `no-access` or `signed-out`). An unreachable server is retried with the provider's backoff.
 *
 * - Narada's application events (`events=1`; `[varUint 101][string json]`): `access` (this
 *   person's role changed while connected) calls `onLiveRole`, so the editor turns read-only or
 *   writable in place; every event is also handed to the listeners of `onEvent` (panels).
 *
 * Cross-tab BroadcastChannel sync is off: every change must pass the server, which is the one
 * that enforces roles (a read-only tab must not feed edits to a writable one locally).
 */

import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import * as authProtocol from 'y-protocols/auth';
import * as decoding from 'lib0/decoding';
import { type Access, canWrite, devToken, isExpired, readClaims, sessionAccess } from './session';

/** Message type of Narada's durable acknowledgement (see PROTOCOL.md). */
const MESSAGE_ACK = 100;
/** Message type of Narada's application events (see PROTOCOL.md, "Events"). */
const MESSAGE_EVENT = 101;
const MESSAGE_AUTH = 2;
const MESSAGE_SYNC = 0;
const SYNC_STEP2 = 1;
const SYNC_UPDATE = 2;
/** The server closes a socket with this code when access to the document is withdrawn. */
export const CLOSE_ACCESS_REVOKED = 4403;

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'closed';
export type SaveState = 'saved' | 'saving' | 'unsynced';

export interface SyncCallbacks {
  /** Connection or save state changed. */
  onChange(): void;
  /** The server refused a write (y-protocols auth "permission denied"). */
  onDenied(reason: string): void;
  /**
   * The session ended for good: `no-access` (access withdrawn), `signed-out` (the person's
   * session ended), `expired` (a link ran out), or the server's close reason (4400-4499).
   */
  onClosed(reason: string): void;
  /** A renewed token has a role that is writable where the old one was not, or the reverse. */
  onRoleChanged(access: Access): void;
  /** The server changed this person's role on the open socket (no reconnect). */
  onLiveRole?(role: string, canWrite: boolean): void;
}

/** An application event from the server: a JSON object with a `type`. */
export interface NaradaEvent {
  type: string;
  [field: string]: unknown;
}

/** Bytes of a sync message that carries an update (step 2 or update), with whether it is empty. */
function classify(data: unknown): { counted: boolean; empty: boolean; step2: boolean } {
  const bytes = data instanceof Uint8Array ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : null;
  // Message and sync sub-types are small varUints, so each takes exactly one byte.
  if (!bytes || bytes.length < 3 || bytes[0] !== MESSAGE_SYNC) return { counted: false, empty: false, step2: false };
  const sub = bytes[1];
  if (sub !== SYNC_STEP2 && sub !== SYNC_UPDATE) return { counted: false, empty: false, step2: false };
  // An empty v1 update is [0 structs, 0 deletions]: payload length 2, bytes 0 0.
  const empty = bytes.length === 5 && bytes[2] === 2 && bytes[3] === 0 && bytes[4] === 0;
  return { counted: true, empty, step2: sub === SYNC_STEP2 };
}

export class SyncSession {
  readonly doc = new Y.Doc();
  readonly provider: WebsocketProvider;
  private closedReason: string | null = null;
  private everSynced = false;
  private destroyed = false;
  private retryTimer: number | undefined;
  // Durable-ack bookkeeping for the current socket (reset on each new socket).
  private sent = 0;
  private acked = 0;
  private lastNonEmpty = 0;
  /** Local changes the server may not have: made offline, or sent but not acknowledged. */
  private offlineDirty = false;
  /**
   * Origins of updates that are not new edits: the device's stored copy loading (its changes
   * are pending only if the copy says so, see `markUnsent`).
   */
  readonly quietOrigins = new Set<unknown>();
  private readonly onOnlineChange = () => this.callbacks.onChange();

  constructor(
    serverUrl: string,
    readonly docName: string,
    private access: Access,
    private readonly callbacks: SyncCallbacks,
  ) {
    const session = this;
    class CountingWebSocket extends WebSocket {
      override send(data: Parameters<WebSocket['send']>[0]): void {
        const c = classify(data);
        if (c.counted && session.provider?.ws === this) session.noteSent(c.empty, c.step2);
        super.send(data);
      }
    }
    this.provider = new WebsocketProvider(serverUrl, docName, this.doc, {
      connect: false,
      disableBc: true,
      params: { token: access.token, ack: '1', events: '1' },
      WebSocketPolyfill: CountingWebSocket,
      // A signed-in person's sessions reconnect only after asking for a new token (recover).
      shouldReconnect: (event) =>
        this.access.source !== 'session' && !(event.code >= 4400 && event.code < 4500),
    });
    const p = this.provider;
    p.messageHandlers[MESSAGE_AUTH] = (_encoder, decoder) => {
      authProtocol.readAuthMessage(decoder, this.doc, (_doc, reason) => this.callbacks.onDenied(reason));
    };
    p.messageHandlers[MESSAGE_ACK] = (_encoder, decoder) => {
      this.noteAck(decoding.readVarUint(decoder));
    };
    p.messageHandlers[MESSAGE_EVENT] = (_encoder, decoder) => {
      let event: NaradaEvent;
      try {
        event = JSON.parse(decoding.readVarString(decoder)) as NaradaEvent;
      } catch {
        return; // not ours to fail on: events are advisory
      }
      if (event.type === 'access' && typeof event.role === 'string') {
        this.liveRole = event.role;
        this.callbacks.onLiveRole?.(event.role, event.can_write === true);
      }
      for (const listener of this.eventListeners) listener(event);
    };
    p.on('status', ({ status }) => {
      if (status === 'connected') {
        this.sent = 0;
        this.acked = 0;
        this.lastNonEmpty = 0;
      } else if (status === 'disconnected') {
        if (this.acked < this.lastNonEmpty) this.offlineDirty = true;
        void this.renewTokenIfNeeded();
      }
      this.callbacks.onChange();
    });
    p.on('sync', (synced: boolean) => {
      if (synced) this.everSynced = true;
      this.callbacks.onChange();
    });
    p.on('closed', (event: { code: number; reason: string }) => {
      if (this.access.source === 'session') {
        void this.recover();
        return;
      }
      // By code: the close reason is the server's English, for developers (see closeReason).
      this.close(event.code === CLOSE_ACCESS_REVOKED ? 'no-access' : `close:${event.code}`);
    });
    this.doc.on('update', (_update: Uint8Array, origin: unknown) => {
      if (origin !== p && !this.quietOrigins.has(origin) && !p.wsconnected) {
        this.offlineDirty = true;
        this.callbacks.onChange();
      }
    });
    window.addEventListener('online', this.onOnlineChange);
    window.addEventListener('offline', this.onOnlineChange);
  }

  private readonly eventListeners = new Set<(event: NaradaEvent) => void>();
  /** Set by an `access` event: the server changed this person's role on the open socket. */
  private liveRole: string | undefined;

  /** Calls `listener` with every application event; returns the function that stops it. */
  onEvent(listener: (event: NaradaEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  connect(): void {
    if (this.access.source === 'link' && isExpired(this.access.claims)) {
      this.close('expired');
      return;
    }
    this.provider.connect();
  }

  /** The doc holds changes the server has not acknowledged (a stored copy said so). */
  markUnsent(): void {
    if (this.acked >= this.lastNonEmpty && this.provider.synced) return;
    this.offlineDirty = true;
    this.callbacks.onChange();
  }

  private close(reason: string): void {
    if (this.destroyed) return;
    this.closedReason = reason;
    this.provider.disconnect();
    this.callbacks.onClosed(reason);
    this.callbacks.onChange();
  }

  private noteSent(empty: boolean, step2: boolean): void {
    this.sent += 1;
    if (!empty) this.lastNonEmpty = this.sent;
    // An empty reply to the server's step 1 means the server already has all we have.
    else if (step2 && this.acked >= this.lastNonEmpty) this.offlineDirty = false;
    this.callbacks.onChange();
  }

  private noteAck(n: number): void {
    if (n > this.acked) this.acked = n;
    if (this.acked >= this.lastNonEmpty) this.offlineDirty = false;
    this.callbacks.onChange();
  }

  /**
   * After the server closed the socket or refused it: a new token for the signed-in person,
   * then reconnect (after the provider's backoff), restart with another role, or end.
   */
  private async recover(): Promise<void> {
    const fresh = await sessionAccess(this.docName);
    if (this.destroyed || this.closedReason !== null) return;
    if (fresh === 'no-access' || fresh === 'signed-out') {
      this.close(fresh);
      return;
    }
    if (typeof fresh !== 'string') {
      const wasWritable = canWrite(this.access.claims.role);
      this.access = fresh;
      this.provider.params = { ...this.provider.params, token: fresh.token };
      if (canWrite(fresh.claims.role) !== wasWritable) {
        this.callbacks.onRoleChanged(fresh);
        return;
      }
    }
    // Unreachable or failed: try again with what we have; the next close comes back here.
    const p = this.provider;
    const delay = Math.min(2 ** p.wsUnsuccessfulReconnects * 100, p.maxBackoffTime);
    window.clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(() => {
      if (!this.destroyed && this.closedReason === null) p.connect();
    }, delay);
    this.callbacks.onChange();
  }

  /** Before reconnecting, swap an expired developer token for a new one. */
  private async renewTokenIfNeeded(): Promise<void> {
    if (this.access.source === 'session' || !isExpired(this.access.claims, 60)) return;
    if (this.access.source === 'link') {
      this.close('expired');
      return;
    }
    const user = this.access.claims.sub ?? '';
    const fresh = await devToken(this.docName, user);
    if (fresh) {
      this.access = fresh;
      this.provider.params = { ...this.provider.params, token: fresh.token };
    }
  }

  get connectionState(): ConnectionState {
    if (this.closedReason !== null) return 'closed';
    if (typeof navigator !== 'undefined' && navigator.onLine === false) return 'offline';
    if (this.provider.wsconnected && this.provider.synced) return 'connected';
    return this.everSynced ? 'reconnecting' : 'connecting';
  }

  get saveState(): SaveState {
    if (this.offlineDirty) return this.provider.wsconnected ? 'saving' : 'unsynced';
    return this.acked < this.lastNonEmpty ? 'saving' : 'saved';
  }

  get token(): string {
    return this.access.token;
  }

  /** The role the server applies now: a live change (an `access` event) or the token's. */
  get role(): string | undefined {
    return this.liveRole ?? readClaims(this.access.token).role;
  }

  destroy(): void {
    this.destroyed = true;
    window.clearTimeout(this.retryTimer);
    window.removeEventListener('online', this.onOnlineChange);
    window.removeEventListener('offline', this.onOnlineChange);
    this.provider.destroy();
    this.doc.destroy();
  }
}
