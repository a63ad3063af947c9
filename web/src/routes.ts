/**
 * The app's one route table: every page by name and path. `{doc}` stands for one path segment.
 *
 * The client routes with it (`main.ts`), and the build writes it to `dist/pages.json`, from
 * which the server decides which paths get `index.html` with 200 and which get the app's "page
 * not found" with 404 (`crates/narada-server/src/web.rs`). A page added here is therefore known
 * to both; nothing else lists page paths. Pure data and string code: no DOM, so the build (in
 * Node) and the tests can load it.
 */

export const PAGES = {
  documents: '/',
  login: '/login',
  setup: '/setup',
  invite: '/invite',
  reset: '/reset-password',
  admin: '/admin',
  adminPeople: '/admin/people',
  adminCities: '/admin/cities',
  adminAudit: '/admin/audit',
  document: '/d/{doc}',
} as const;

export type PageName = keyof typeof PAGES;

export interface PageMatch {
  name: PageName;
  /** The `{…}` segments, percent-decoded. */
  params: Record<string, string>;
}

/** The page at `pathname` (a trailing slash is ignored), or null: the app has no such page. */
export function matchPage(pathname: string): PageMatch | null {
  const path = pathname.replace(/\/+$/, '') || '/';
  const parts = path.split('/');
  for (const name of Object.keys(PAGES) as PageName[]) {
    const pattern = PAGES[name].split('/');
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const same = pattern.every((seg, i) => {
      const param = /^\{(\w+)\}$/.exec(seg);
      if (!param) return seg === parts[i];
      if (!parts[i]) return false;
      // An undecodable segment is still this page (as the server sees it); the page refuses it.
      try {
        params[param[1]] = decodeURIComponent(parts[i]);
      } catch {
        params[param[1]] = parts[i];
      }
      return true;
    });
    if (same) return { name, params };
  }
  return null;
}
