import type { ComponentChildren } from 'preact';
import type { Loaded } from '../use-api';
import { ErrorMessage } from './error-message';

/** Shows an API read's error, a placeholder while it loads, or what `children` makes of the data. */
export function LoadedView<T>({
  loaded,
  children,
}: {
  loaded: Loaded<T>;
  children: (data: T) => ComponentChildren;
}) {
  if (loaded.error) return <ErrorMessage message={loaded.error.message} />;
  if (loaded.data === undefined) return <p class="loading">Loading…</p>;
  return <>{children(loaded.data)}</>;
}
