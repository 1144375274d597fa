/**
 * Back to the page that was asked for: an operator who opens /dashboard/links/ml_… while signed out is sent to the
 * sign-in screen with `?next=/links/ml_…`, and once signed in lands there instead of on the Overview. Only a path
 * inside the dashboard is ever followed (never another origin, never the sign-in page itself): the router adds
 * /dashboard in front of it, and anything that could leave (`//host`, `\`, a scheme) is refused here first.
 *
 * The sign-in message's link finishes on the server, possibly in another tab, which then opens /dashboard/; the
 * path is also kept in localStorage for 15 minutes (the link's life) so that tab can go on to it.
 */
import { useEffect, useRef } from 'react';
import { Redirect, useLocation, useSearch } from 'wouter';

const STORAGE_KEY = 'latchkey.dashboard.return';
const KEEP_MS = 15 * 60_000;
const PROBE = 'https://dashboard.invalid';

/** `raw` if it is a dashboard path worth returning to (relative to /dashboard), else null. */
export function safeReturnPath(raw: string | null | undefined): string | null {
  if (!raw || raw.length > 2000) return null;
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.includes('\\')) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused.
  if (/[\u0000-\u001f\u007f]/.test(raw)) return null;
  let url: URL;
  try {
    url = new URL(raw, PROBE);
  } catch {
    return null;
  }
  if (url.origin !== PROBE) return null;
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (path.startsWith('//') || url.pathname === '/' || url.pathname.startsWith('/sign-in')) return null;
  return path;
}

/** The sign-in address that comes back to `path` (`/sign-in?next=…`), and the path kept for the emailed link. */
export function signInFor(path: string): string {
  const safe = safeReturnPath(path);
  if (!safe) return '/sign-in';
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ path: safe, at: Date.now() }));
  } catch {
    // Storage refused (a private window's quota): the code in this tab still comes back through `next`.
  }
  return `/sign-in?next=${encodeURIComponent(safe)}`;
}

/** Signed-out: to the sign-in screen, remembering where the operator was going. */
export function RedirectToSignIn() {
  const [location] = useLocation();
  const search = useSearch();
  return <Redirect to={signInFor(`${location}${search ? `?${search}` : ''}`)} replace />;
}

/** Signed in on the sign-in page (the code was just accepted): on to the page asked for, or home. */
export function ReturnAfterSignIn() {
  const next = safeReturnPath(new URLSearchParams(useSearch()).get('next')) ?? takeStored() ?? '/';
  forgetStored();
  return <Redirect to={next} replace />;
}

/** Signed in through the emailed link, which lands on the Overview: on to the page kept when it was asked for. */
export function useReturnAfterLink(): void {
  const [location, navigate] = useLocation();
  // Once, when the signed-in dashboard first shows: later visits of the Overview are the operator's own.
  const checked = useRef(false);
  useEffect(() => {
    if (checked.current) return;
    checked.current = true;
    if (location !== '/') return;
    const stored = takeStored();
    forgetStored();
    if (stored) navigate(stored, { replace: true });
  }, [location, navigate]);
}

function takeStored(): string | null {
  try {
    const kept = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as {
      path?: string;
      at?: number;
    } | null;
    if (!kept || typeof kept.at !== 'number' || Date.now() - kept.at > KEEP_MS) return null;
    return safeReturnPath(kept.path);
  } catch {
    return null;
  }
}

function forgetStored(): void {
  try {
    localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Nothing kept, nothing to forget.
  }
}
