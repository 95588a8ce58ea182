/**
 * Client routing without a router package: the server answers index.html for every screen path;
 * the path lives in a rune, links call `navigate`, the back button works through popstate.
 */
export type Route =
  | { name: 'wall' }
  | { name: 'desk' }
  | { name: 'reports' }
  | { name: 'status' }
  | { name: 'grid'; id: string }
  | { name: 'login'; next: string }
  | { name: 'notFound' };

export function parseRoute(pathname: string, search = ''): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/' || path === '/wall') return { name: 'wall' };
  if (path === '/desk') return { name: 'desk' };
  if (path === '/reports') return { name: 'reports' };
  if (path === '/status') return { name: 'status' };
  if (path === '/login') {
    const next = new URLSearchParams(search).get('next');
    return { name: 'login', next: next && next.startsWith('/') && !next.startsWith('//') ? next : '/desk' };
  }
  const grid = /^\/grid\/([^/]+)$/.exec(path);
  if (grid) return { name: 'grid', id: decodeURIComponent(grid[1]) };
  return { name: 'notFound' };
}

class Router {
  route = $state<Route>(parseRoute(location.pathname, location.search));

  constructor() {
    addEventListener('popstate', () => (this.route = parseRoute(location.pathname, location.search)));
  }

  navigate(to: string, replace = false): void {
    if (to === location.pathname + location.search) return;
    if (replace) history.replaceState(null, '', to);
    else history.pushState(null, '', to);
    const url = new URL(to, location.origin);
    this.route = parseRoute(url.pathname, url.search);
  }

  /** To /login, coming back here afterwards — with the query (`/desk?event=…` keeps its event). */
  toLogin(): void {
    this.navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`, true);
  }
}

export const router = new Router();

/** `onclick` for in-app anchors: plain clicks navigate in place, modified clicks open as usual. */
export function link(event: MouseEvent): void {
  const a = event.currentTarget as HTMLAnchorElement;
  const href = a.getAttribute('href');
  if (href === null || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
    return;
  event.preventDefault();
  router.navigate(href);
}
