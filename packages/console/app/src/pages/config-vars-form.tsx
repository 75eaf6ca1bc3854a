import { api, unwrap } from '../api/client';
import { ErrorMessage } from '../components/error-message';
import { LoadedView } from '../components/loaded';
import { useApi } from '../use-api';
import { useBusyAction } from '../use-busy-action';

/** The application's config variables: set one, or remove one (they reach instances at their next start). */
export function ConfigVarsForm({ applicationId }: { applicationId: number }) {
  const path = { params: { path: { applicationId } } };
  const config = useApi(
    () => unwrap(api.GET('/api/v1/applications/{applicationId}/config', path)),
    `config ${applicationId}`,
  );
  const { error, run: change } = useBusyAction(async (vars: Record<string, string | null>) => {
    await unwrap(api.PATCH('/api/v1/applications/{applicationId}/config', { ...path, body: { vars } }));
    config.reload();
  });
  const submit = (event: Event) => {
    event.preventDefault();
    const formElement = event.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    void change({ [String(form.get('name')).trim()]: String(form.get('value')) }).then(() =>
      formElement.reset(),
    );
  };
  return (
    <section aria-labelledby="config-heading">
      <h2 id="config-heading">Config variables</h2>
      <LoadedView loaded={config}>
        {({ vars }) => (
          <table>
            <tbody>
              {Object.entries(vars).map(([name, value]) => (
                <tr key={name}>
                  <th scope="row">
                    <code>{name}</code>
                  </th>
                  <td>
                    <code>{value}</code>
                  </td>
                  <td>
                    <button
                      type="button"
                      aria-label={`Remove ${name}`}
                      onClick={() => change({ [name]: null })}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </LoadedView>
      <form class="inline-form" onSubmit={submit} aria-label="Set a config variable">
        <label for="config-name">Name</label>
        <input id="config-name" name="name" required pattern="[A-Za-z_][A-Za-z0-9_]*" />
        <label for="config-value">Value</label>
        <input id="config-value" name="value" />
        <button type="submit">Set</button>
      </form>
      <ErrorMessage message={error} />
    </section>
  );
}
