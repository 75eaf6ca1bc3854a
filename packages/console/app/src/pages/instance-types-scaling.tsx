import { useState } from 'preact/hooks';
import { api, unwrap } from '../api/client';
import { ActionButton } from '../components/action-button';
import { LoadedView } from '../components/loaded';
import { useApi } from '../use-api';

/**
 * A version's instance types with their quantities; with `canScale`, a quantity field and a Scale
 * button each, which opens the job tree that starts or stops instances to match.
 */
export function InstanceTypesScaling({
  versionId,
  versionNumber,
  canScale,
}: {
  versionId: number;
  versionNumber: number;
  canScale: boolean;
}) {
  const types = useApi(
    () => unwrap(api.GET('/api/v1/versions/{versionId}/instance-types', { params: { path: { versionId } } })),
    `instance types ${versionId}`,
  );
  const [wanted, setWanted] = useState<Record<number, number>>({});
  return (
    <LoadedView loaded={types}>
      {(list) => (
        <ul class="instance-types" aria-label={`Instance types of version ${versionNumber}`}>
          {list.map((type) => {
            const fieldId = `quantity-${type.id}`;
            const quantity = wanted[type.id] ?? type.quantity;
            return (
              <li key={type.id} data-instance-type={type.name}>
                <strong>{type.name}</strong> ({type.runtimeName} {type.runtimeVersion}
                {type.exclusive ? ', exclusive' : ''}
                {type.standalone ? ', standalone' : ''}):{' '}
                {canScale ? (
                  <>
                    <label for={fieldId}>
                      Quantity of {type.name} in version {versionNumber}
                    </label>{' '}
                    <input
                      id={fieldId}
                      type="number"
                      min={1}
                      max={1000}
                      step={1}
                      required
                      value={quantity}
                      onInput={(event) =>
                        setWanted({ ...wanted, [type.id]: Number(event.currentTarget.value) })
                      }
                    />{' '}
                    <ActionButton
                      label={`Scale ${type.name} of version ${versionNumber}`}
                      onDone={types.reload}
                      run={() =>
                        unwrap(
                          api.PATCH('/api/v1/versions/{versionId}/instance-types/{instanceTypeId}', {
                            params: { path: { versionId, instanceTypeId: type.id } },
                            body: { quantity },
                          }),
                        )
                      }
                    >
                      Scale
                    </ActionButton>
                  </>
                ) : (
                  <span>
                    {type.quantity} instance{type.quantity === 1 ? '' : 's'}
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </LoadedView>
  );
}
