import type { PacemakerApiSchemas } from '@paasmaker/core';
import { api, unwrap } from '../api/client';
import { ActionButton } from '../components/action-button';

/** Starts, stops or makes current a version; resolves with the job tree doing it. */
const versionAction = (versionId: number, action: 'start' | 'stop' | 'current') => () => {
  const options = { params: { path: { versionId } }, body: {} };
  if (action === 'start') return unwrap(api.POST('/api/v1/versions/{versionId}/start', options));
  if (action === 'stop') return unwrap(api.POST('/api/v1/versions/{versionId}/stop', options));
  return unwrap(api.POST('/api/v1/versions/{versionId}/current', options));
};

/** A version's action buttons, those `can` allows (it takes the route's key). */
export function VersionActions({
  version,
  can,
}: {
  version: PacemakerApiSchemas['Version'];
  can: (key: string) => boolean;
}) {
  return (
    <>
      {can('POST /api/v1/versions/{versionId}/start') ? (
        <>
          <ActionButton label={`Start version ${version.number}`} run={versionAction(version.id, 'start')}>
            Start
          </ActionButton>
          <ActionButton label={`Stop version ${version.number}`} run={versionAction(version.id, 'stop')}>
            Stop
          </ActionButton>
        </>
      ) : null}
      {can('POST /api/v1/versions/{versionId}/current') && !version.isCurrent ? (
        <ActionButton
          label={`Make version ${version.number} current`}
          run={versionAction(version.id, 'current')}
        >
          Make current
        </ActionButton>
      ) : null}
      {can('DELETE /api/v1/versions/{versionId}') && !version.isCurrent ? (
        <ActionButton
          danger
          label={`Delete version ${version.number}`}
          confirm={`Delete version ${version.number}?`}
          run={() =>
            unwrap(
              api.DELETE('/api/v1/versions/{versionId}', { params: { path: { versionId: version.id } } }),
            )
          }
        >
          Delete
        </ActionButton>
      ) : null}
    </>
  );
}
