import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';
import { createElement } from 'react';

/**
 * Five routes (`/`, `/history`, `/cycles/{id}`, `/campaigns`, `/campaigns/{id}`) on the History API;
 * the API answers every non-API path with index.html. Hand-rolled in a few lines instead of adding a
 * router package.
 */
export type Route =
  | { view: 'now' }
  | { view: 'history' }
  | { view: 'cycle'; id: string }
  | { view: 'campaigns' }
  | { view: 'campaign'; id: string }
  | { view: 'missing'; path: string };

export function parseRoute(path: string): Route {
  if (path === '/' || path === '') return { view: 'now' };
  if (path === '/history') return { view: 'history' };
  if (path === '/campaigns') return { view: 'campaigns' };
  const m = /^\/(cycles|campaigns)\/([^/]+)$/.exec(path);
  if (m) return { view: m[1] === 'cycles' ? 'cycle' : 'campaign', id: decodeURIComponent(m[2]!) };
  return { view: 'missing', path };
}

const NAV = 'ktrdr:navigate';

export function navigate(to: string): void {
  if (to === location.pathname + location.search) return;
  history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAV));
  window.scrollTo(0, 0);
}

export function useLocation(): { path: string; search: URLSearchParams } {
  const read = () => ({ path: location.pathname, search: new URLSearchParams(location.search) });
  const [loc, setLoc] = useState(read);
  useEffect(() => {
    const update = () => setLoc(read());
    window.addEventListener('popstate', update);
    window.addEventListener(NAV, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAV, update);
    };
  }, []);
  return loc;
}

/** A real link (works with middle-click, copy link, keyboard) that navigates in place on a plain click. */
export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    props.onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.href);
  };
  return createElement('a', { ...props, onClick });
}

export const cycleHref = (id: string): string => `/cycles/${encodeURIComponent(id)}`;
export const campaignHref = (id: string): string => `/campaigns/${encodeURIComponent(id)}`;
