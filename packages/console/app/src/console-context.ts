import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { RouteRules } from './api/route-rules';
import { mayCall } from './api/route-rules';
import type { Me } from './api/session';

/** Who is logged in and the API's route rules, for every page. */
export interface ConsoleContext {
  readonly me: Me;
  readonly rules: RouteRules;
}

export const ConsoleContextValue = createContext<ConsoleContext | undefined>(undefined);

/** `may('POST /api/v1/versions/{versionId}/start', workspaceId)`: whether to offer a control. */
export function useMay(): (key: string, workspaceId?: number) => boolean {
  const context = useContext(ConsoleContextValue);
  return (key, workspaceId) => (context ? mayCall(context.rules, context.me, key, workspaceId) : false);
}
