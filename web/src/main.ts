/**
 * Entry point: picks the page from the path with the route table of `routes.ts` (which the
 * server reads too, from `dist/pages.json`, to answer these paths with this bundle and every
 * other one with 404; see crates/narada-server/src/web.rs).
 *
 * | page                   | path              | mounts                                                |
 * | ---------------------- | ----------------- | ----------------------------------------------------- |
 * | `document`             | `/d/{doc}`        | the document (`editor.ts`)                            |
 * | `login`                | `/login`          | sign-in (`signin.ts`); `?next=/d/…` is where to go afterwards |
 * | `setup`                | `/setup`          | first-run setup: the first administrator (`setup.ts`) |
 * | `invite`               | `/invite`         | set a password with an invitation link (`signin.ts`)  |
 * | `reset`                | `/reset-password` | set a new password with a reset link (`signin.ts`)    |
 * | `admin…`               | `/admin`, `/admin/people`, `/admin/cities`, `/admin/audit` | administration (`admin.ts`) |
 * | `documents`            | `/`               | signed in: the documents (`documents.ts`); else `/setup` while the server waits for its first-run setup (unless developer tokens are on), otherwise sign-in |
 * | none                   | anything else     | "page not found" (`notfound.ts`)                      |
 */

import './style.css';
import { applyTranslations } from './i18n';
import { mountEditorPage } from './editor';
import { mountDocumentsPage } from './documents';
import { mountSetPassword, mountSignIn } from './signin';
import { mountAdminPage } from './admin';
import { mountNotFound } from './notfound';
import { currentPerson, devTokensOffered, safeNext, setupPending } from './api';
import { mountSetup } from './setup';
import { DOC_NAME_RE } from './session';
import { type PageName, matchPage } from './routes';

const signedInPerson = () => currentPerson().catch(() => null);

/** The documents, or the sign-in form (offering `doc`, a refused `/d/…` name, cleaned). */
async function home(root: HTMLElement, doc = ''): Promise<void> {
  const person = await signedInPerson();
  if (person) return mountDocumentsPage(root, person);
  // A fresh installation has nobody to sign in yet: its first administrator is made at /setup.
  // (With developer tokens on, the sign-in page also opens documents without anyone signed in.)
  if (!devTokensOffered() && (await setupPending().catch(() => false))) return location.replace('/setup');
  mountSignIn(root, '/', doc);
}

async function admin(root: HTMLElement, path: string): Promise<void> {
  const person = await signedInPerson();
  if (person) return mountAdminPage(root, person, path);
  mountSignIn(root, path);
}

/** Every page of the route table, mounted; the type makes a page without a mount an error. */
const MOUNTS: Record<PageName, (root: HTMLElement, params: Record<string, string>, path: string) => Promise<void>> = {
  document: async (root, { doc }) => (DOC_NAME_RE.test(doc) ? mountEditorPage(root, doc) : home(root, doc)),
  invite: async (root) => mountSetPassword(root, 'invite'),
  reset: async (root) => mountSetPassword(root, 'reset'),
  setup: async (root) => mountSetup(root),
  login: async (root) => {
    const next = safeNext(new URLSearchParams(location.search).get('next'));
    if (await signedInPerson()) location.replace(next);
    else mountSignIn(root, next);
  },
  admin: (root, _params, path) => admin(root, path),
  adminPeople: (root, _params, path) => admin(root, path),
  adminCities: (root, _params, path) => admin(root, path),
  adminAudit: (root, _params, path) => admin(root, path),
  documents: async (root) => home(root),
};

async function route(root: HTMLElement): Promise<void> {
  const page = matchPage(location.pathname);
  if (!page) return mountNotFound(root, await signedInPerson());
  const path = location.pathname.replace(/\/+$/, '') || '/';
  return MOUNTS[page.name](root, page.params, path);
}

const root = document.getElementById('app');
if (root) {
  applyTranslations(document);
  void route(root);
}
