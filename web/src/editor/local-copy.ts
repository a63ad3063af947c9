/**
 * The copy of a document kept on this device (IndexedDB through `y-indexeddb`), so that edits
 * made without a connection survive closing the tab and reach the server on the next visit.
 *
 * - One database per person and document: `narada:{owner}:{doc}`, where the owner is the
 *   signed-in person's account id (`p12`) or, for a link or developer token, the name in it.
 *   Two people who share a browser never load each other's copy.
 * - `pending` (kept in the copy itself) says that it holds changes the server has not yet
 *   acknowledged durably, so a reopened tab can say "saved on this device, waiting to be sent"
 *   before it has even connected. It is cleared when Narada's ack catches up.
 * - `storedLocally` is true once every local change has been written: the IndexedDB
 *   transaction that y-indexeddb opened for it has completed (a read transaction on the same
 *   store opened after it completes after it).
 * - Signing out deletes every copy of that person (`clearLocalCopies`); losing access to a
 *   document deletes its copy. Only writable sessions keep a copy: a read-only one has nothing
 *   to save, and must not send a copy's old edits the server would refuse.
 */

import { IndexeddbPersistence } from 'y-indexeddb';
import type * as Y from 'yjs';

const PREFIX = 'narada:';
const REGISTRY_KEY = 'narada.localCopies';
const open = new Set<LocalCopy>();

function registry(): string[] {
  try {
    const list = JSON.parse(localStorage.getItem(REGISTRY_KEY) ?? '[]');
    return Array.isArray(list) ? list.filter((n): n is string => typeof n === 'string' && n.startsWith(PREFIX)) : [];
  } catch {
    return [];
  }
}

function saveRegistry(names: string[]): void {
  try {
    localStorage.setItem(REGISTRY_KEY, JSON.stringify([...new Set(names)]));
  } catch {
    // Without localStorage, indexedDB.databases() still finds the copies to delete.
  }
}

/** The database name of `doc`'s copy for `owner` (an account id or a token's name). */
export function localCopyName(owner: string, doc: string): string {
  return `${PREFIX}${encodeURIComponent(owner)}:${doc}`;
}

export class LocalCopy {
  readonly persistence: IndexeddbPersistence;
  /** Resolves when the stored copy has been applied to the Y.Doc (or could not be read). */
  readonly loaded: Promise<void>;
  private writing = 0;
  private destroyed = false;

  constructor(
    readonly name: string,
    doc: Y.Doc,
    private readonly onChange: () => void,
  ) {
    this.persistence = new IndexeddbPersistence(name, doc);
    open.add(this);
    saveRegistry([...registry(), name]);
    // A browser without IndexedDB (or one that refuses it) still edits; it just keeps no copy.
    this.loaded = Promise.race([this.persistence.whenSynced.then(() => undefined), new Promise<void>((r) => setTimeout(r, 3000))]);
    // Registered after y-indexeddb's own update handler, which opens the write transaction.
    doc.on('update', (_update: Uint8Array, origin: unknown) => {
      const db = this.persistence.db;
      if (origin === this.persistence || !db || this.destroyed) return;
      this.writing += 1;
      this.onChange();
      const done = () => {
        this.writing -= 1;
        this.onChange();
      };
      try {
        const tx = db.transaction(['updates'], 'readonly');
        tx.oncomplete = done;
        tx.onerror = done;
        tx.onabort = done;
      } catch {
        done();
      }
    });
  }

  /** Every local change is on this device's disk. */
  get storedLocally(): boolean {
    return !this.destroyed && this.persistence.db !== null && this.writing === 0;
  }

  /** Whether the copy holds changes the server had not acknowledged when it was last open. */
  async pending(): Promise<boolean> {
    try {
      return (await this.persistence.get('pending')) === 1;
    } catch {
      return false;
    }
  }

  setPending(value: boolean): void {
    if (!this.destroyed) this.persistence.set('pending', value ? 1 : 0).catch(() => undefined);
  }

  destroy(): Promise<void> {
    this.destroyed = true;
    open.delete(this);
    return this.persistence.destroy();
  }

  /** Closes the copy and deletes it from the device. */
  async remove(): Promise<void> {
    await this.destroy();
    await deleteDatabase(this.name);
  }
}

function deleteDatabase(name: string): Promise<void> {
  saveRegistry(registry().filter((n) => n !== name));
  return new Promise((resolve) => {
    try {
      const req = indexedDB.deleteDatabase(name);
      req.onsuccess = req.onerror = req.onblocked = () => resolve();
    } catch {
      resolve();
    }
  });
}

/** Deletes every copy `owner` keeps on this device (signing out), closing open ones first. */
export async function clearLocalCopies(owner: string): Promise<void> {
  const prefix = `${PREFIX}${encodeURIComponent(owner)}:`;
  await Promise.all([...open].filter((c) => c.name.startsWith(prefix)).map((c) => c.destroy()));
  const names = new Set(registry().filter((n) => n.startsWith(prefix)));
  try {
    for (const db of await indexedDB.databases()) if (db.name?.startsWith(prefix)) names.add(db.name);
  } catch {
    // indexedDB.databases() is missing in older browsers: the registry is what we know.
  }
  await Promise.all([...names].map(deleteDatabase));
}
