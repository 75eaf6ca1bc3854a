import { useEffect, useState } from 'preact/hooks';
import { closeJobStream } from './api/job-stream';
import { loadRouteRules, mayCall, type RouteRules } from './api/route-rules';
import { logOut, type Me, resumeSession } from './api/session';
import { ConsoleContextValue } from './console-context';
import { href, useHashRoute } from './hash-route';
import { ApplicationPage } from './pages/application-page';
import { JobPage } from './pages/job-page';
import { LoginPage } from './pages/login-page';
import { NodesPage } from './pages/nodes-page';
import { RolesPage } from './pages/roles-page';
import { UsersPage } from './pages/users-page';
import { WorkspacePage } from './pages/workspace-page';
import { WorkspacesPage } from './pages/workspaces-page';

/** The page a route names. */
function Page({ route }: { route: string[] }) {
  const [section, id = ''] = route;
  switch (section) {
    case 'workspaces':
      return <WorkspacePage key={id} workspaceId={Number(id)} />;
    case 'applications':
      return <ApplicationPage key={id} applicationId={Number(id)} />;
    case 'jobs':
      return <JobPage key={id} treeId={id} />;
    case 'nodes':
      return <NodesPage />;
    case 'users':
      return <UsersPage />;
    case 'roles':
      return <RolesPage />;
    default:
      return <WorkspacesPage />;
  }
}

/** The console: the login form, or the navigation and the page the hash names. */
export function App() {
  const route = useHashRoute();
  const [me, setMe] = useState<Me | null>();
  const [rules, setRules] = useState<RouteRules>();
  useEffect(() => {
    resumeSession().then(setMe, () => setMe(null));
    loadRouteRules().then(setRules, () => setRules(new Map()));
  }, []);
  if (me === undefined || rules === undefined) return <p class="loading">Loading…</p>;
  if (me === null) return <LoginPage onLogIn={setMe} />;
  const may = (key: string) => mayCall(rules, me, key);
  const who = me.kind === 'user' ? me.user.login : 'super token';
  const leave = async () => {
    await logOut().catch(() => undefined);
    closeJobStream();
    setMe(null);
  };
  return (
    <ConsoleContextValue.Provider value={{ me, rules }}>
      <header class="top">
        <a class="brand" href={href()}>
          Paasmaker
        </a>
        <nav aria-label="Main">
          <a href={href()}>Workspaces</a>
          {may('GET /api/v1/nodes') ? <a href={href('nodes')}>Nodes</a> : null}
          {may('GET /api/v1/users') ? <a href={href('users')}>Users</a> : null}
          {may('GET /api/v1/roles') ? <a href={href('roles')}>Roles</a> : null}
        </nav>
        <span class="who">{who}</span>
        <button type="button" onClick={leave}>
          Log out
        </button>
      </header>
      <Page route={route} />
    </ConsoleContextValue.Provider>
  );
}
