/** A job's, version's, instance's or node's state, coloured by the stylesheet's `state-<name>`. */
export function StateBadge({ state }: { state: string }) {
  return <span class={`state state-${state.toLowerCase()}`}>{state}</span>;
}
