import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { href } from '../hash-route';

/**
 * A button that starts an action; when the API answers with the job tree it started
 * (`{ treeId }`), the console opens that tree.
 */
export function ActionButton(props: {
  run: () => Promise<unknown>;
  children: ComponentChildren;
  label?: string;
  danger?: boolean;
  confirm?: string;
  onDone?: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const click = async () => {
    if (props.confirm && !window.confirm(props.confirm)) return;
    setBusy(true);
    setError(undefined);
    try {
      const result = (await props.run()) as { treeId?: string } | undefined;
      props.onDone?.();
      if (result?.treeId) location.hash = href('jobs', result.treeId);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="action">
      <button
        type="button"
        class={props.danger ? 'danger' : ''}
        disabled={busy}
        aria-label={props.label}
        onClick={click}
      >
        {props.children}
      </button>
      {error ? (
        <span class="error" role="alert">
          {error}
        </span>
      ) : null}
    </span>
  );
}
