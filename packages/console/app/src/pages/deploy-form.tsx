import { api, unwrap } from '../api/client';
import { ErrorMessage } from '../components/error-message';
import { href } from '../hash-route';
import { useFormAction } from '../use-busy-action';

/** Where the form deploys from: its uploaded .tar.gz archive, or else its git URL and branch. */
async function sourceOf(workspaceId: number, form: FormData) {
  const archive = form.get('archive');
  if (archive instanceof File && archive.size > 0) {
    const uploaded = await unwrap(
      api.POST('/api/v1/workspaces/{workspaceId}/uploads', {
        params: { path: { workspaceId } },
        body: archive as never,
        bodySerializer: (file) => file as unknown as BodyInit,
        headers: { 'content-type': 'application/gzip' },
      }),
    );
    return { scm: 'paasmaker.scm.upload', parameters: { location: uploaded.location } };
  }
  const branch = String(form.get('branch') ?? '').trim();
  return {
    scm: 'paasmaker.scm.git',
    parameters: { location: String(form.get('location')).trim(), ...(branch ? { branch } : {}) },
  };
}

/** Deploys from a git URL and branch, or from an uploaded .tar.gz archive; opens the deploy's job tree. */
export function DeployForm({ workspaceId, mayUpload }: { workspaceId: number; mayUpload: boolean }) {
  const { busy, error, submit } = useFormAction(async (form: FormData) => {
    const directory = String(form.get('directory') ?? '').trim();
    const source = await sourceOf(workspaceId, form);
    const started = await unwrap(
      api.POST('/api/v1/workspaces/{workspaceId}/deploys', {
        params: { path: { workspaceId } },
        body: { ...source, ...(directory ? { directory } : {}) },
      }),
    );
    location.hash = href('jobs', started.treeId);
  });
  return (
    <form class="deploy-form" onSubmit={submit} aria-label="Deploy">
      <h2>Deploy</h2>
      <label for="deploy-location">Git URL</label>
      <input id="deploy-location" name="location" placeholder="https://example.com/shop.git" />
      <label for="deploy-branch">Branch</label>
      <input id="deploy-branch" name="branch" placeholder="default branch" />
      {mayUpload ? (
        <>
          <label for="deploy-archive">or an archive (.tar.gz)</label>
          <input id="deploy-archive" name="archive" type="file" accept=".tar.gz,.tgz,application/gzip" />
        </>
      ) : null}
      <label for="deploy-directory">Folder in the source</label>
      <input id="deploy-directory" name="directory" placeholder="(the root)" />
      <button type="submit" disabled={busy}>
        Deploy
      </button>
      <ErrorMessage message={error} />
    </form>
  );
}
