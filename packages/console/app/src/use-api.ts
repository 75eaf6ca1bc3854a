import { useCallback, useEffect, useState } from 'preact/hooks';

/** What an API read gives a page: the data, the error, and a way to read it again. */
export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: Error | undefined;
  reload(): void;
}

/** Reads from the API when `key` changes; `reload` reads again (after an action). */
export function useApi<T>(read: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error }>({});
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    read().then(
      (data) => live && setState({ data }),
      (error: Error) => live && setState({ error }),
    );
    return () => {
      live = false;
    };
  }, [key, round]);
  const reload = useCallback(() => setRound((value) => value + 1), []);
  return { data: state.data, error: state.error, reload };
}
