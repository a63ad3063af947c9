/**
 * Entry point: picks the page from the path. `/d/{doc}` is a document, anything else the
 * landing page. The server answers both with this same bundle.
 */

import './style.css';
import { applyTranslations } from './i18n';
import { mountLanding } from './landing';
import { mountEditorPage } from './editor';
import { DOC_NAME_RE } from './session';

const root = document.getElementById('app');
if (root) {
  applyTranslations(document);
  const match = /^\/d\/([^/]+)\/?$/.exec(location.pathname);
  let doc: string | null = null;
  try {
    doc = match ? decodeURIComponent(match[1]) : null;
  } catch {
    doc = null;
  }
  if (doc !== null && DOC_NAME_RE.test(doc)) {
    void mountEditorPage(root, doc);
  } else {
    mountLanding(root, doc ?? '');
  }
}
