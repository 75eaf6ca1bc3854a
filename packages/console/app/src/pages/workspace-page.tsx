import type { Application, Service, TreeSummary, Workspace } from '@paasmaker/core';
import { api, unwrap } from '../api/client';
import type { Wire } from '../api/wire';
import { LoadedView } from '../components/loaded';
import { useMay } from '../console-context';
import { href } from '../hash-route';
import { useApi } from '../use-api';
import { DeployForm } from './deploy-form';

/** A workspace: its applications, services and recent job trees, and the deploy form. */
export function WorkspacePage({ workspaceId }: { workspaceId: number }) {
  const may = useMay();
  const path = { params: { path: { workspaceId } } };
  const workspace = useApi(
    () => unwrap<Wire<Workspace>>(api.GET('/api/v1/workspaces/{workspaceId}', path)),
    `workspace ${workspaceId}`,
  );
  const applications = useApi(
    () => unwrap<Wire<Application>[]>(api.GET('/api/v1/workspaces/{workspaceId}/applications', path)),
    `applications ${workspaceId}`,
  );
  const mayViewServices = may('GET /api/v1/workspaces/{workspaceId}/services', workspaceId);
  const services = useApi(
    () =>
      mayViewServices
        ? unwrap<Wire<Service>[]>(api.GET('/api/v1/workspaces/{workspaceId}/services', path))
        : Promise.resolve([]),
    `services ${workspaceId}`,
  );
  const jobs = useApi(
    () =>
      unwrap<{ trees: TreeSummary[] }>(
        api.GET('/api/v1/jobs', { params: { query: { tag: `workspace:${workspaceId}`, limit: 20 } } }),
      ),
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
              <LoadedView loaded={services}>
                {(list) =>
                  list.length === 0 ? (
                    <p>No services.</p>
                  ) : (
                    <table>
                      <thead>
                        <tr>
                          <th>Name</th>
                          <th>Provider</th>
                          <th>State</th>
                        </tr>
                      </thead>
                      <tbody>
                        {list.map((service) => (
                          <tr key={service.id}>
                            <td>{service.name}</td>
                            <td>{service.provider}</td>
                            <td>{service.state}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  )
                }
              </LoadedView>
            </>
          ) : null}
          <h2>Recent jobs</h2>
          <LoadedView loaded={jobs}>
            {({ trees }) => (
              <ul class="jobs">
                {trees.map((tree) => (
                  <li key={tree.treeId}>
                    <span class={`state state-${tree.state.toLowerCase()}`}>{tree.state}</span>{' '}
                    <a href={href('jobs', tree.treeId)}>{tree.title}</a>
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
