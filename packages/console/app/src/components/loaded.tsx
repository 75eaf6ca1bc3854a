import type { ComponentChildren } from 'preact';
import type { Loaded } from '../use-api';

/** Shows an API read's error, a placeholder while it loads, or what `children` makes of the data. */
export function LoadedView<T>({
  loaded,
  children,
}: {
  loaded: Loaded<T>;
  children: (data: T) => ComponentChildren;
}) {
  if (loaded.error)
    return (
      <p class="error" role="alert">
        {loaded.error.message}
      </p>
    );
  if (loaded.data === undefined) return <p class="loading">Loading…</p>;
  return <>{children(loaded.data)}</>;
}
