import { useState } from 'preact/hooks';
import { api, unwrap } from '../api/client';
import { href } from '../hash-route';

/** Deploys from a git URL and branch, or from an uploaded .tar.gz archive; opens the deploy's job tree. */
export function DeployForm({ workspaceId, mayUpload }: { workspaceId: number; mayUpload: boolean }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const directory = String(form.get('directory') ?? '').trim();
    const archive = form.get('archive');
    setBusy(true);
    setError(undefined);
    try {
      let body: { scm: string; parameters: { location: string; branch?: string }; directory?: string };
      if (archive instanceof File && archive.size > 0) {
        const uploaded = await unwrap<{ location: string }>(
          api.POST('/api/v1/workspaces/{workspaceId}/uploads', {
            params: { path: { workspaceId } },
            body: archive as never,
            bodySerializer: (file) => file as unknown as BodyInit,
            headers: { 'content-type': 'application/gzip' },
          }),
        );
        body = { scm: 'paasmaker.scm.upload', parameters: { location: uploaded.location } };
      } else {
        const branch = String(form.get('branch') ?? '').trim();
        body = {
          scm: 'paasmaker.scm.git',
          parameters: { location: String(form.get('location')).trim(), ...(branch ? { branch } : {}) },
        };
      }
      const started = await unwrap<{ treeId: string }>(
        api.POST('/api/v1/workspaces/{workspaceId}/deploys', {
          params: { path: { workspaceId } },
          body: { ...body, ...(directory ? { directory } : {}) },
        }),
      );
      location.hash = href('jobs', started.treeId);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };
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
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
