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
 * - a developer token that has expired is renewed before the next reconnect.
 *
 * Cross-tab BroadcastChannel sync is off: every change must pass the server, which is the one
 * that enforces roles (a read-only tab must not feed edits to a writable one locally).
 */

import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import * as authProtocol from 'y-protocols/auth';
import * as decoding from 'lib0/decoding';
import { type Access, devToken, isExpired, readClaims } from './session';

/** Message type of Narada's durable acknowledgement (see PROTOCOL.md). */
const MESSAGE_ACK = 100;
const MESSAGE_AUTH = 2;
const MESSAGE_SYNC = 0;
const SYNC_STEP2 = 1;
const SYNC_UPDATE = 2;

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'closed';
export type SaveState = 'saved' | 'saving' | 'unsynced';

export interface SyncCallbacks {
  /** Connection or save state changed. */
  onChange(): void;
  /** The server refused a write (y-protocols auth "permission denied"). */
  onDenied(reason: string): void;
  /** The server ended the session for good (close code 4400-4499), or the link expired. */
  onClosed(reason: string): void;
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
  // Durable-ack bookkeeping for the current socket (reset on each new socket).
  private sent = 0;
  private acked = 0;
  private lastNonEmpty = 0;
  /** Local changes the server may not have: made offline, or sent but not acknowledged. */
  private offlineDirty = false;
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
      params: { token: access.token, ack: '1' },
      WebSocketPolyfill: CountingWebSocket,
    });
    const p = this.provider;
    p.messageHandlers[MESSAGE_AUTH] = (_encoder, decoder) => {
      authProtocol.readAuthMessage(decoder, this.doc, (_doc, reason) => this.callbacks.onDenied(reason));
    };
    p.messageHandlers[MESSAGE_ACK] = (_encoder, decoder) => {
      this.noteAck(decoding.readVarUint(decoder));
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
      this.closedReason = event.reason || String(event.code);
      this.callbacks.onClosed(this.closedReason);
      this.callbacks.onChange();
    });
    this.doc.on('update', (_update: Uint8Array, origin: unknown) => {
      if (origin !== p && !p.wsconnected) {
        this.offlineDirty = true;
        this.callbacks.onChange();
      }
    });
    window.addEventListener('online', this.onOnlineChange);
    window.addEventListener('offline', this.onOnlineChange);
  }

  connect(): void {
    if (this.access.source === 'link' && isExpired(this.access.claims)) {
      this.close('expired');
      return;
    }
    this.provider.connect();
  }

  private close(reason: string): void {
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

  /** Before reconnecting, swap an expired developer token for a new one. */
  private async renewTokenIfNeeded(): Promise<void> {
    if (!isExpired(this.access.claims, 60)) return;
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

  get role(): string | undefined {
    return readClaims(this.access.token).role;
  }

  destroy(): void {
    window.removeEventListener('online', this.onOnlineChange);
    window.removeEventListener('offline', this.onOnlineChange);
    this.provider.destroy();
    this.doc.destroy();
  }
}
