/** What `GET /applications/:applicationId/instances` answers. */
export interface ApplicationInstances {
  application: string;
  urls: string[];
  instances: {
    uuid: string;
    version: number;
    versionId: number;
    isCurrent: boolean;
    instanceType: string;
    state: string;
    node: string;
    port: number | null;
    url: string | null;
  }[];
}

/** The application's instances, by version and instance type, and the URLs it answers on. */
export function InstancesTable({ data }: { data: ApplicationInstances }) {
  return (
    <>
      {data.urls.length > 0 ? (
        <p>
          Answers on{' '}
          {data.urls.map((url) => (
            <a key={url} href={url} class="url">
              {url}
            </a>
          ))}
        </p>
      ) : null}
      {data.instances.length === 0 ? (
        <p>No instances.</p>
      ) : (
        <table class="instances">
          <thead>
            <tr>
              <th>Version</th>
              <th>Instance type</th>
              <th>Instance</th>
              <th>State</th>
              <th>Node</th>
              <th>Port</th>
            </tr>
          </thead>
          <tbody>
            {data.instances.map((instance) => (
              <tr key={instance.uuid}>
                <td>
                  {instance.version}
                  {instance.isCurrent ? ' (current)' : ''}
                </td>
                <td>{instance.instanceType}</td>
                <td>
                  <code>{instance.uuid.slice(0, 8)}</code>
                </td>
                <td>
                  <span class={`state state-${instance.state.toLowerCase()}`}>{instance.state}</span>
                </td>
                <td>{instance.node}</td>
                <td>{instance.port ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
