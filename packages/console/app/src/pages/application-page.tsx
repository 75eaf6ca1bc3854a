import type { Application, ApplicationVersion } from '@paasmaker/core';
import { api, unwrap } from '../api/client';
import type { Wire } from '../api/wire';
import { ActionButton } from '../components/action-button';
import { LoadedView } from '../components/loaded';
import { StatsChart } from '../components/stats-chart';
import { useMay } from '../console-context';
import { href } from '../hash-route';
import { useApi } from '../use-api';
import { ConfigVarsForm } from './config-vars-form';
import { InstanceTypesScaling } from './instance-types-scaling';
import { type ApplicationInstances, InstancesTable } from './instances-table';

/** An application: its versions with their actions, its instance types and instances, its config. */
export function ApplicationPage({ applicationId }: { applicationId: number }) {
  const may = useMay();
  const path = { params: { path: { applicationId } } };
  const application = useApi(
    () => unwrap<Wire<Application>>(api.GET('/api/v1/applications/{applicationId}', path)),
    `application ${applicationId}`,
  );
  const versions = useApi(
    () => unwrap<Wire<ApplicationVersion>[]>(api.GET('/api/v1/applications/{applicationId}/versions', path)),
    `versions ${applicationId}`,
  );
  const instances = useApi(
    () => unwrap<ApplicationInstances>(api.GET('/api/v1/applications/{applicationId}/instances', path)),
    `instances ${applicationId}`,
  );
  const workspaceId = application.data?.workspaceId;
  const can = (key: string) => workspaceId !== undefined && may(key, workspaceId);
  const versionAction = (versionId: number, action: 'start' | 'stop' | 'current') => () => {
    const options = { params: { path: { versionId } }, body: {} };
    if (action === 'start') return unwrap(api.POST('/api/v1/versions/{versionId}/start', options));
    if (action === 'stop') return unwrap(api.POST('/api/v1/versions/{versionId}/stop', options));
    return unwrap(api.POST('/api/v1/versions/{versionId}/current', options));
  };
  return (
    <main>
      <LoadedView loaded={application}>
        {(app) => (
          <nav aria-label="Breadcrumb" class="breadcrumb">
            <a href={href()}>Workspaces</a> › <a href={href('workspaces', app.workspaceId)}>Workspace</a> ›{' '}
            {app.name}
          </nav>
        )}
      </LoadedView>
      <div class="toolbar">
        {can('POST /api/v1/applications/{applicationId}/rollback') ? (
          <ActionButton
            run={() =>
              unwrap(api.POST('/api/v1/applications/{applicationId}/rollback', { ...path, body: {} }))
            }
          >
            Roll back
          </ActionButton>
        ) : null}
        {can('DELETE /api/v1/applications/{applicationId}') ? (
          <ActionButton
            danger
            confirm="Delete this application, its versions and instances?"
            run={() => unwrap(api.DELETE('/api/v1/applications/{applicationId}', path))}
          >
            Delete application
          </ActionButton>
        ) : null}
      </div>
      <h2>Versions</h2>
      <LoadedView loaded={versions}>
        {(list) => (
          <table class="versions">
            <thead>
              <tr>
                <th>Version</th>
                <th>State</th>
                <th>Current</th>
                <th>Source</th>
                <th>Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.map((version) => (
                <tr key={version.id} data-version={version.number}>
                  <td>{version.number}</td>
                  <td>
                    <span class={`state state-${version.state.toLowerCase()}`}>{version.state}</span>
                  </td>
                  <td>{version.isCurrent ? 'current' : ''}</td>
                  <td>
                    <code>{version.scmRevision?.slice(0, 10) ?? version.scmName}</code>
                  </td>
                  <td>
                    {can('POST /api/v1/versions/{versionId}/start') ? (
                      <>
                        <ActionButton
                          label={`Start version ${version.number}`}
                          run={versionAction(version.id, 'start')}
                        >
                          Start
                        </ActionButton>
                        <ActionButton
                          label={`Stop version ${version.number}`}
                          run={versionAction(version.id, 'stop')}
                        >
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
                            api.DELETE('/api/v1/versions/{versionId}', {
                              params: { path: { versionId: version.id } },
                            }),
                          )
                        }
                      >
                        Delete
                      </ActionButton>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </LoadedView>
      <h2>Traffic</h2>
      <LoadedView loaded={versions}>
        {(list) =>
          list
            .filter((version) => version.state === 'RUNNING')
            .map((version) => (
              <StatsChart key={version.id} versionId={version.id} label={`Version ${version.number}`} />
            ))
        }
      </LoadedView>
      <h2>Instance types and instances</h2>
      <LoadedView loaded={versions}>
        {(list) =>
          list.map((version) => (
            <InstanceTypesScaling
              key={version.id}
              versionId={version.id}
              versionNumber={version.number}
              canScale={can('PATCH /api/v1/versions/{versionId}/instance-types/{instanceTypeId}')}
            />
          ))
        }
      </LoadedView>
      <LoadedView loaded={instances}>{(data) => <InstancesTable data={data} />}</LoadedView>
      {can('PATCH /api/v1/applications/{applicationId}/config') ? (
        <ConfigVarsForm applicationId={applicationId} />
      ) : null}
    </main>
  );
}
