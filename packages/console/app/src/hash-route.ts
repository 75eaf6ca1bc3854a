import { useEffect, useState } from 'preact/hooks';

/** The page a hash names: `#/applications/3` is `['applications', '3']`. */
export function currentRoute(): string[] {
  return location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
}

/** The current route, updated on every hash change (links, back and forward). */
export function useHashRoute(): string[] {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

/** A link to a console page. */
export const href = (...parts: (string | number)[]) =>
  `#/${parts.map((part) => encodeURIComponent(String(part))).join('/')}`;
