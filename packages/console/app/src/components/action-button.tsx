import type { ComponentChildren } from 'preact';
import { href } from '../hash-route';
import { useBusyAction } from '../use-busy-action';

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
  const { busy, error, run } = useBusyAction(async () => {
    const result = (await props.run()) as { treeId?: string } | undefined;
    props.onDone?.();
    if (result?.treeId) location.hash = href('jobs', result.treeId);
  });
  const click = () => {
    if (props.confirm && !window.confirm(props.confirm)) return;
    void run();
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
