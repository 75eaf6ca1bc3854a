import { useState } from 'preact/hooks';

/** What {@link useBusyAction} gives a form or button. */
export interface BusyAction<A extends unknown[]> {
  /** While the action runs (disable its control). */
  readonly busy: boolean;
  /** The message of the last run's failure; cleared when it runs again. */
  readonly error: string | undefined;
  /** Runs the action; resolves when it ended, never rejects (a failure lands in `error`). */
  run(...args: A): Promise<void>;
}

/** An action a user starts (a form's submit, a button's click): its busy state and its failure. */
export function useBusyAction<A extends unknown[]>(action: (...args: A) => Promise<void>): BusyAction<A> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = async (...args: A) => {
    setBusy(true);
    setError(undefined);
    try {
      await action(...args);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

/** A form's submit as a {@link useBusyAction}: the action gets the form's fields. */
export function useFormAction(action: (form: FormData) => Promise<void>) {
  const { busy, error, run } = useBusyAction(action);
  const submit = (event: Event) => {
    event.preventDefault();
    void run(new FormData(event.currentTarget as HTMLFormElement));
  };
  return { busy, error, submit };
}
