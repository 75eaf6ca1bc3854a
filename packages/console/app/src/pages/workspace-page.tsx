import { api, unwrap } from '../api/client';
import { LoadedView } from '../components/loaded';
import { LoadedTable } from '../components/record-table';
import { StateBadge } from '../components/state-badge';
import { useMay } from '../console-context';
import { href } from '../hash-route';
import { useApi } from '../use-api';
import { DeployForm } from './deploy-form';

/** A workspace: its applications, services and recent job trees, and the deploy form. */
export function WorkspacePage({ workspaceId }: { workspaceId: number }) {
  const may = useMay();
  const path = { params: { path: { workspaceId } } };
  const workspace = useApi(
    () => unwrap(api.GET('/api/v1/workspaces/{workspaceId}', path)),
    `workspace ${workspaceId}`,
  );
  const applications = useApi(
    () => unwrap(api.GET('/api/v1/workspaces/{workspaceId}/applications', path)),
    `applications ${workspaceId}`,
  );
  const mayViewServices = may('GET /api/v1/workspaces/{workspaceId}/services', workspaceId);
  const services = useApi(
    () =>
      mayViewServices
        ? unwrap(api.GET('/api/v1/workspaces/{workspaceId}/services', path))
        : Promise.resolve([]),
    `services ${workspaceId}`,
  );
  const jobs = useApi(
    () =>
      unwrap(api.GET('/api/v1/jobs', { params: { query: { tag: `workspace:${workspaceId}`, limit: 20 } } })),
    `jobs ${workspaceId}`,
  );
  return (
    <main>
      <nav aria-label="Breadcrumb" class="breadcrumb">
        <a href={href()}>Workspaces</a> › <LoadedView loaded={workspace}>{(w) => w.name}</LoadedView>
      </nav>
      <div class="columns">
        <section aria-labelledby="applications-heading">
          <h2 id="applications-heading">Applications</h2>
          <LoadedView loaded={applications}>
            {(list) =>
              list.length === 0 ? (
                <p>No applications yet.</p>
              ) : (
                <ul class="cards">
                  {list.map((application) => (
                    <li key={application.id}>
                      <a href={href('applications', application.id)}>{application.name}</a>
                    </li>
                  ))}
                </ul>
              )
            }
          </LoadedView>
          {mayViewServices ? (
            <>
              <h2>Services</h2>
              <LoadedTable
                loaded={services}
                rowKey={(service) => service.id}
                empty="No services."
                columns={[
                  { heading: 'Name', cell: (service) => service.name },
                  { heading: 'Provider', cell: (service) => service.provider },
                  { heading: 'State', cell: (service) => service.state },
                ]}
              />
            </>
          ) : null}
          <h2>Recent jobs</h2>
          <LoadedView loaded={jobs}>
            {({ trees }) => (
              <ul class="jobs">
                {trees.map((tree) => (
                  <li key={tree.treeId}>
                    <StateBadge state={tree.state} /> <a href={href('jobs', tree.treeId)}>{tree.title}</a>
                  </li>
                ))}
              </ul>
            )}
          </LoadedView>
        </section>
        {may('POST /api/v1/workspaces/{workspaceId}/deploys', workspaceId) ? (
          <DeployForm
            workspaceId={workspaceId}
            mayUpload={may('POST /api/v1/workspaces/{workspaceId}/uploads', workspaceId)}
          />
        ) : null}
      </div>
    </main>
  );
}
