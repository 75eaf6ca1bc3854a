import { api, unwrap } from '../api/client';
import { ActionButton } from '../components/action-button';
import { LoadedView } from '../components/loaded';
import { LoadedTable } from '../components/record-table';
import { StateBadge } from '../components/state-badge';
import { StatsChart } from '../components/stats-chart';
import { useMay } from '../console-context';
import { href } from '../hash-route';
import { useApi } from '../use-api';
import { ConfigVarsForm } from './config-vars-form';
import { InstanceTypesScaling } from './instance-types-scaling';
import { InstancesTable } from './instances-table';
import { VersionActions } from './version-actions';

/** An application: its versions with their actions, its instance types and instances, its config. */
export function ApplicationPage({ applicationId }: { applicationId: number }) {
  const may = useMay();
  const path = { params: { path: { applicationId } } };
  const application = useApi(
    () => unwrap(api.GET('/api/v1/applications/{applicationId}', path)),
    `application ${applicationId}`,
  );
  const versions = useApi(
    () => unwrap(api.GET('/api/v1/applications/{applicationId}/versions', path)),
    `versions ${applicationId}`,
  );
  const instances = useApi(
    () => unwrap(api.GET('/api/v1/applications/{applicationId}/instances', path)),
    `instances ${applicationId}`,
  );
  const workspaceId = application.data?.workspaceId;
  const can = (key: string) => workspaceId !== undefined && may(key, workspaceId);
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
      <LoadedTable
        loaded={versions}
        class="versions"
        rowKey={(version) => version.id}
        rowData={(version) => ({ 'data-version': version.number })}
        columns={[
          { heading: 'Version', cell: (version) => version.number },
          { heading: 'State', cell: (version) => <StateBadge state={version.state} /> },
          { heading: 'Current', cell: (version) => (version.isCurrent ? 'current' : '') },
          {
            heading: 'Source',
            cell: (version) => <code>{version.scmRevision?.slice(0, 10) ?? version.scmName}</code>,
          },
          { heading: 'Actions', cell: (version) => <VersionActions version={version} can={can} /> },
        ]}
      />
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
