/**
 * Entry point: picks the page from the path. The server answers every one of these paths with
 * this same bundle (see crates/narada-server/src/web.rs).
 *
 * | path              | page                                                              |
 * | ----------------- | ----------------------------------------------------------------- |
 * | `/d/{doc}`        | the document (`editor.ts`)                                        |
 * | `/login`          | sign-in (`signin.ts`); `?next=/d/…` is where to go afterwards     |
 * | `/invite`         | set a password with an invitation link (`signin.ts`)              |
 * | `/reset-password` | set a new password with a reset link (`signin.ts`)                |
 * | `/admin`, `/admin/people`, `/admin/cities`, `/admin/audit` | administration (`admin.ts`) |
 * | `/`, anything else| signed in: the documents (`documents.ts`); else sign-in           |
 */

import './style.css';
import { applyTranslations } from './i18n';
import { mountEditorPage } from './editor';
import { mountDocumentsPage } from './documents';
import { mountSetPassword, mountSignIn } from './signin';
import { mountAdminPage, isAdminPath } from './admin';
import { currentPerson, safeNext } from './api';
import { DOC_NAME_RE } from './session';

async function route(root: HTMLElement): Promise<void> {
  const path = location.pathname.replace(/\/+$/, '') || '/';
  const match = /^\/d\/([^/]+)$/.exec(path);
  let doc: string | null = null;
  try {
    doc = match ? decodeURIComponent(match[1]) : null;
  } catch {
    doc = null;
  }
  if (doc !== null && DOC_NAME_RE.test(doc)) return mountEditorPage(root, doc);
  if (path === '/invite') return mountSetPassword(root, 'invite');
  if (path === '/reset-password') return mountSetPassword(root, 'reset');

  const person = await currentPerson().catch(() => null);
  if (path === '/login') {
    const next = safeNext(new URLSearchParams(location.search).get('next'));
    if (person) location.replace(next);
    else mountSignIn(root, next);
    return;
  }
  if (isAdminPath(path)) {
    if (person) return mountAdminPage(root, person, path);
    return mountSignIn(root, path);
  }
  // `/`, or a `/d/…` whose name the server would refuse (offered, cleaned, to open instead).
  if (person) return mountDocumentsPage(root, person);
  mountSignIn(root, '/', doc ?? '');
}

const root = document.getElementById('app');
if (root) {
  applyTranslations(document);
  void route(root);
}
