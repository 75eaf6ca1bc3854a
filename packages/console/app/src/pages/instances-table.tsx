import type { PacemakerApiSchemas } from '@paasmaker/core';
import { RecordTable } from '../components/record-table';
import { StateBadge } from '../components/state-badge';

type ApplicationInstances = PacemakerApiSchemas['ApplicationInstances'];

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
      <RecordTable
        class="instances"
        records={data.instances}
        rowKey={(instance) => instance.uuid}
        empty="No instances."
        columns={[
          {
            heading: 'Version',
            cell: (instance) => (
              <>
                {instance.version}
                {instance.isCurrent ? ' (current)' : ''}
              </>
            ),
          },
          { heading: 'Instance type', cell: (instance) => instance.instanceType },
          { heading: 'Instance', cell: (instance) => <code>{instance.uuid.slice(0, 8)}</code> },
          { heading: 'State', cell: (instance) => <StateBadge state={instance.state} /> },
          { heading: 'Node', cell: (instance) => instance.node },
          { heading: 'Port', cell: (instance) => instance.port ?? '' },
        ]}
      />
    </>
  );
}
